//! A secret API key from the environment, the way Stripe's clients use it:
//! `STRIPE_API_KEY` is read by `Client::from_env()` and sent as a bearer
//! token. Runs offline: a small Stripe-like server is started in-process and
//! the client is pointed at it.
//!
//! Unlike the HubSpot and GitHub examples, this one does not call Stoplight
//! Prism mocking the vendor's spec: Prism 5.14 never finishes loading
//! Stripe's spec (`../shared/specs/stripe.json`), whose schemas refer to
//! themselves in cycles, so the client is generated from the trimmed
//! `specs/stripe.yaml` and answered by the local server. It needs nothing
//! but this repository.
//!
//! `cargo run --example stripe_api_key` (set `STRIPE_API_KEY` to try your own
//! test key against the local server; a demo key is used otherwise).

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

polvo::service!("stripe.yaml");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var("STRIPE_API_KEY").is_err() {
        // SAFETY: single-threaded still: the runtime's threads start below.
        unsafe { std::env::set_var("STRIPE_API_KEY", "sk_test_polvo_demo") };
    }
    tokio::runtime::Runtime::new()?.block_on(run())
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let key = std::env::var("STRIPE_API_KEY")?;
    let base_url = serve_stripe(key).await?;
    println!("A Stripe-like API is listening at {base_url}\n");

    // Credentials come from STRIPE_API_KEY; only the base URL is overridden.
    let client = stripe::Client::builder().from_env().base_url(&base_url).build()?;

    let body = stripe::types::PostCustomersBody {
        email: Some("ada@example.com".into()),
        name: Some("Ada Lovelace".into()),
        metadata: Some([("order".to_owned(), "6735".to_owned())].into_iter().collect()),
        expand: None,
    };
    let customer = client.post_customers().body(body).send().await?;
    println!(
        "created {} ({}), metadata {:?}",
        customer.id,
        customer.email.unwrap_or_default(),
        customer.metadata.unwrap_or_default()
    );

    let page = client.get_customers().limit(10).send().await?;
    println!("listed {} customer(s), more: {}", page.data.len(), page.has_more);

    // A wrong key is a typed API error, with Stripe's error body decoded.
    let wrong =
        stripe::Client::builder().base_url(&base_url).credential(stripe::auth::bearer_auth("sk_test_wrong")).build()?;
    match wrong.get_customers().send().await {
        Err(polvo::Error::Api { status, body, .. }) => {
            println!("\nwith a wrong key: {status}: {} ({})", body.error.message.unwrap_or_default(), body.error.r#type)
        }
        other => println!("\nwith a wrong key: unexpected {other:?}"),
    }
    Ok(())
}

#[derive(Clone)]
struct Stripe {
    key: String,
    customers: Arc<Mutex<Vec<Value>>>,
}

async fn serve_stripe(key: String) -> std::io::Result<String> {
    let state = Stripe { key, customers: Arc::default() };
    let app = Router::new().route("/v1/customers", get(list).post(create)).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{address}"))
}

/// Stripe accepts the secret key as a bearer token or as the basic user name.
fn authorized(state: &Stripe, headers: &HeaderMap) -> Result<(), (StatusCode, Json<Value>)> {
    let given = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if given == format!("Bearer {}", state.key) {
        return Ok(());
    }
    Err((
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": {"type": "invalid_request_error", "message": "Invalid API Key provided."}})),
    ))
}

async fn list(
    State(state): State<Stripe>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    if let Err(e) = authorized(&state, &headers) {
        return e;
    }
    let limit = query.get("limit").and_then(|l| l.parse().ok()).unwrap_or(10);
    let customers = state.customers.lock().map(|c| c.clone()).unwrap_or_default();
    let data: Vec<Value> = customers.into_iter().rev().take(limit).collect();
    (StatusCode::OK, Json(json!({"object": "list", "data": data, "has_more": false, "url": "/v1/customers"})))
}

async fn create(
    State(state): State<Stripe>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> (StatusCode, Json<Value>) {
    if let Err(e) = authorized(&state, &headers) {
        return e;
    }
    let mut customer = json!({"object": "customer", "created": 1_764_288_000, "metadata": {}});
    for (key, value) in form {
        // Nested keys arrive as `metadata[order]=6735`.
        match key.strip_prefix("metadata[").and_then(|k| k.strip_suffix(']')) {
            Some(inner) => customer["metadata"][inner] = json!(value),
            None => customer[key] = json!(value),
        }
    }
    let Ok(mut customers) = state.customers.lock() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"error": {"type": "api_error"}})));
    };
    customer["id"] = json!(format!("cus_{:04}", customers.len() + 1));
    customers.push(customer.clone());
    (StatusCode::OK, Json(customer))
}
