//! The offline demo: serves a small pet shop API on 127.0.0.1 in this
//! process, then calls it through the client `polvo::service!` generates
//! from `specs/petstore.yaml`.
//!
//! Run it with `cargo run --example demo`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

polvo::service!("petstore.yaml");

use petstore::types::{NewPet, NewPetSpecies, PetStatus};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base_url = serve_pet_shop().await?;
    println!("A pet shop API is listening at {base_url}\n");

    let client = petstore::Client::builder().base_url(&base_url).build()?;

    // A JSON body in, a typed pet out.
    let pet = client
        .pets()
        .create_pet(NewPet { name: "Biscuit".into(), species: NewPetSpecies::Dog, tags: Some(vec!["good".into()]) })
        .send()
        .await?;
    println!("created #{}: {} the {} ({}), added {}", pet.id, pet.name, pet.species, pet.status, pet.added_at);

    // Optional query parameters are builder methods; the status and headers are there when asked for.
    let response = client.pets().list_pets().status(PetStatus::Available).limit(10).send_response().await?;
    println!("\nGET /pets?status=available&limit=10 -> {}", response.status());
    for pet in response.body() {
        println!("  #{} {} ({}, {})", pet.id, pet.name, pet.species, pet.status);
    }

    // A documented error status decodes into its type.
    match client.pets().get_pet(404).send().await {
        Err(polvo::Error::Api { status, body, .. }) => {
            println!("\nGET /pets/404 -> {status}: {} ({})", body.title, body.detail.unwrap_or_default());
        }
        other => println!("\nGET /pets/404 -> unexpected: {other:?}"),
    }

    // Values the spec does not list still decode.
    let surprise = client.pets().get_pet(3).send().await?;
    println!("\nGET /pets/3 -> status {:?} (a value added after the spec was written)", surprise.status);
    Ok(())
}

type Shop = Arc<Mutex<Vec<Value>>>;

/// Starts the pet shop on an ephemeral port and returns its base URL.
async fn serve_pet_shop() -> std::io::Result<String> {
    let shop: Shop = Arc::new(Mutex::new(vec![
        json!({"id": 1, "name": "Misu", "species": "cat", "status": "available", "added_at": "2026-11-01T09:00:00Z", "nickname": null}),
        json!({"id": 2, "name": "Kiwi", "species": "parrot", "status": "sold", "added_at": "2026-11-02T10:30:00Z"}),
        json!({"id": 3, "name": "Tofu", "species": "cat", "status": "on_holiday", "added_at": "2026-11-03T08:15:00Z"}),
    ]));
    let app = Router::new()
        .route("/pets", get(list_pets).post(create_pet))
        .route("/pets/{id}", get(get_pet))
        .with_state(shop);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{address}"))
}

async fn list_pets(
    State(shop): State<Shop>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Json<Value> {
    let pets = shop.lock().map(|p| p.clone()).unwrap_or_default();
    let limit = query.get("limit").and_then(|l| l.parse().ok()).unwrap_or(usize::MAX);
    let matching = pets
        .into_iter()
        .filter(|p| query.get("status").is_none_or(|s| p["status"] == s.as_str()))
        .take(limit)
        .collect();
    Json(Value::Array(matching))
}

async fn get_pet(State(shop): State<Shop>, Path(id): Path<i64>) -> (StatusCode, Json<Value>) {
    let pets = shop.lock().map(|p| p.clone()).unwrap_or_default();
    match pets.into_iter().find(|p| p["id"] == id) {
        Some(pet) => (StatusCode::OK, Json(pet)),
        None => (StatusCode::NOT_FOUND, Json(json!({"title": "Not found", "detail": format!("no pet has id {id}")}))),
    }
}

async fn create_pet(State(shop): State<Shop>, Json(new): Json<Value>) -> (StatusCode, Json<Value>) {
    if new["name"].as_str().is_none_or(str::is_empty) {
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"title": "A pet needs a name"})));
    }
    let Ok(mut pets) = shop.lock() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"title": "The shop is closed"})));
    };
    let mut pet = new;
    pet["id"] = json!(pets.len() + 1);
    pet["status"] = json!("available");
    pet["added_at"] = json!("2026-11-28T12:00:00Z");
    pets.push(pet.clone());
    (StatusCode::CREATED, Json(pet))
}
