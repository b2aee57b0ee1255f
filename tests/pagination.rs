//! Pagination against a real local server: every style over at least
//! three pages, asserting the requests the server saw; an error in the
//! middle of a walk; a server repeating a cursor.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use polvo::paginate::{PaginationError, StreamExt, TryStreamExt};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

polvo::service!("tests/specs/pagination/cursor.yaml", name = "cursor");
polvo::service!("tests/specs/pagination/link.yaml", name = "link");
polvo::service!("tests/specs/pagination/offset.yaml", name = "offset");
polvo::service!("tests/specs/pagination/page.yaml", name = "numbered");

/// How the server misbehaves, if it does.
#[derive(Clone, Copy, Default, PartialEq)]
enum Fault {
    #[default]
    None,
    /// The second page is a 400 with a JSON problem.
    FailSecondPage,
    /// The third page points back to the second page's cursor.
    RepeatCursor,
}

/// The server's state: the requests it saw (path and query) and its fault.
#[derive(Clone, Default)]
struct Server {
    seen: Arc<Mutex<Vec<String>>>,
    fault: Fault,
}

impl Server {
    fn record(&self, uri: &Uri) {
        self.seen.lock().unwrap().push(uri.path_and_query().map(ToString::to_string).unwrap_or_default());
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

type Params = Query<HashMap<String, String>>;

/// Contacts `c1`..`c5`, two a page; the cursor is the next index (`p2` …).
async fn contacts(State(s): State<Server>, uri: Uri, Query(q): Params) -> Response {
    s.record(&uri);
    let page: usize = q.get("after").map_or(1, |a| a.trim_start_matches('p').parse().unwrap());
    if s.fault == Fault::FailSecondPage && page == 2 {
        return (StatusCode::BAD_REQUEST, Json(json!({"message": "cursor expired"}))).into_response();
    }
    let results: Vec<Value> = (page * 2 - 1..=(page * 2).min(5)).map(|i| json!({"id": format!("c{i}")})).collect();
    let next = match (s.fault, page) {
        (Fault::RepeatCursor, 3) => Some(2),
        (_, 1 | 2) => Some(page + 1),
        _ => None,
    };
    let paging = next.map(|n| json!({"next": {"after": format!("p{n}"), "link": "?"}}));
    Json(json!({"results": results, "paging": paging})).into_response()
}

/// Customers `cus_1`..`cus_7`, three a page, Stripe style.
async fn customers(State(s): State<Server>, uri: Uri, Query(q): Params) -> Json<Value> {
    s.record(&uri);
    let start = q.get("starting_after").map_or(0, |id| id.trim_start_matches("cus_").parse().unwrap());
    let data: Vec<Value> = (start + 1..=(start + 3).min(7)).map(|i| json!({"id": format!("cus_{i}")})).collect();
    Json(json!({"object": "list", "data": data, "has_more": start + 3 < 7}))
}

/// Events `e1`..`e6`, two a page, with a declared `meta.next_token`.
async fn events(State(s): State<Server>, uri: Uri, Query(q): Params) -> Json<Value> {
    s.record(&uri);
    let page: usize = q.get("token").map_or(1, |t| t.trim_start_matches("t").parse().unwrap());
    let entries: Vec<String> = (page * 2 - 1..=page * 2).map(|i| format!("e{i}")).collect();
    let next = (page < 3).then(|| format!("t{}", page + 1));
    Json(json!({"entries": entries, "meta": {"next_token": next}}))
}

/// Issues 1..=5, `per_page` a page, with GitHub's `Link` header.
async fn issues(State(s): State<Server>, uri: Uri, Query(q): Params) -> Response {
    s.record(&uri);
    let per_page: u64 = q.get("per_page").map_or(30, |p| p.parse().unwrap());
    let page: u64 = q.get("page").map_or(1, |p| p.parse().unwrap());
    let last = 5_u64.div_ceil(per_page);
    let issues: Vec<Value> =
        ((page - 1) * per_page + 1..=(page * per_page).min(5)).map(|n| json!({"number": n})).collect();
    let mut headers = HeaderMap::new();
    let base = format!("http://api.invalid{}", uri.path());
    let mut links = vec![format!("<{base}?state=open&per_page={per_page}&page={last}>; rel=\"last\"")];
    if page < last {
        links.insert(0, format!("<{base}?state=open&per_page={per_page}&page={}>; rel=\"next\"", page + 1));
    }
    headers.insert("link", links.join(", ").parse().unwrap());
    (headers, Json(issues)).into_response()
}

/// Records 0..7, `limit` a page (default 3), under `page.records`.
async fn records(State(s): State<Server>, uri: Uri, Query(q): Params) -> Json<Value> {
    s.record(&uri);
    let offset: usize = q.get("offset").map_or(0, |o| o.parse().unwrap());
    let limit: usize = q.get("limit").map_or(3, |l| l.parse().unwrap());
    let records: Vec<Value> = (offset..(offset + limit).min(7)).map(|id| json!({"id": id})).collect();
    Json(json!({"total": 7, "page": {"records": records}}))
}

/// Log lines 0..5, two a page.
async fn logs(State(s): State<Server>, uri: Uri, Query(q): Params) -> Json<Vec<String>> {
    s.record(&uri);
    let offset: usize = q["offset"].parse().unwrap();
    Json((offset..(offset + 2).min(5)).map(|i| format!("line {i}")).collect())
}

/// Orders on pages 1..=3, with `more` until the last.
async fn orders(State(s): State<Server>, uri: Uri, Query(q): Params) -> Json<Value> {
    s.record(&uri);
    let page: usize = q.get("page").map_or(1, |p| p.parse().unwrap());
    Json(json!({"orders": [format!("o{page}a"), format!("o{page}b")], "more": page < 3}))
}

/// Starts the server; returns its state and base URL.
async fn start(fault: Fault) -> (Server, String) {
    let state = Server { fault, ..Server::default() };
    let app = Router::new()
        .route("/contacts", get(contacts))
        .route("/customers", get(customers))
        .route("/events", get(events))
        .route("/repos/{owner}/issues", get(issues))
        .route("/records", get(records))
        .route("/orders", get(orders))
        .route("/logs", get(logs))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (state, url)
}

#[tokio::test]
async fn hubspot_cursors_go_from_paging_next_after_into_after() {
    let (server, url) = start(Fault::None).await;
    let client = cursor::Client::builder().base_url(&url).build().unwrap();
    let contacts: Vec<_> = client.contacts().get_page().limit(2).items().try_collect().await.unwrap();
    let ids: Vec<&str> = contacts.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["c1", "c2", "c3", "c4", "c5"]);
    assert_eq!(server.seen(), ["/contacts?limit=2", "/contacts?after=p2&limit=2", "/contacts?after=p3&limit=2"]);
}

#[tokio::test]
async fn stripe_cursors_are_the_last_items_id_while_has_more() {
    let (server, url) = start(Fault::None).await;
    let client = cursor::Client::builder().base_url(&url).build().unwrap();
    let pages: Vec<_> = client.customers().list_customers().pages().try_collect().await.unwrap();
    let sizes: Vec<usize> = pages.iter().map(|p| p.items().len()).collect();
    assert_eq!(sizes, [3, 3, 1]);
    assert_eq!(pages[2].items()[0].id, "cus_7");
    assert_eq!(server.seen(), ["/customers", "/customers?starting_after=cus_3", "/customers?starting_after=cus_6"]);
}

#[tokio::test]
async fn a_declared_cursor_is_read_from_its_declared_path() {
    let (server, url) = start(Fault::None).await;
    let client = cursor::Client::builder().base_url(&url).build().unwrap();
    let events: Vec<String> = client.events().list_events().items().try_collect().await.unwrap();
    assert_eq!(events, ["e1", "e2", "e3", "e4", "e5", "e6"]);
    assert_eq!(server.seen(), ["/events", "/events?token=t2", "/events?token=t3"]);
}

#[tokio::test]
async fn a_cursor_set_by_the_caller_is_where_the_walk_starts() {
    let (server, url) = start(Fault::None).await;
    let client = cursor::Client::builder().base_url(&url).build().unwrap();
    let contacts: Vec<_> = client.contacts().get_page().after("p2").items().try_collect().await.unwrap();
    assert_eq!(contacts.len(), 3);
    assert_eq!(server.seen(), ["/contacts?after=p2", "/contacts?after=p3"]);
}

#[tokio::test]
async fn link_headers_give_the_next_page_number() {
    let (server, url) = start(Fault::None).await;
    let client = link::Client::builder().base_url(&url).build().unwrap();
    let issues: Vec<_> =
        client.issues().list_for_repo("polvo").state("open").per_page(2).items().try_collect().await.unwrap();
    let numbers: Vec<i64> = issues.iter().map(|i| i.number).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5]);
    // The next request is the operation's own, with only `page` taken from
    // the link (whose host is not the API's).
    assert_eq!(
        server.seen(),
        [
            "/repos/polvo/issues?state=open&per_page=2",
            "/repos/polvo/issues?state=open&per_page=2&page=2",
            "/repos/polvo/issues?state=open&per_page=2&page=3",
        ]
    );
}

#[tokio::test]
async fn offsets_advance_by_the_items_received_until_an_empty_page() {
    let (server, url) = start(Fault::None).await;
    let client = offset::Client::builder().base_url(&url).build().unwrap();
    let records: Vec<_> = client.records().list_records().limit(3).items().try_collect().await.unwrap();
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    assert_eq!(ids, [0, 1, 2, 3, 4, 5, 6]);
    assert_eq!(
        server.seen(),
        ["/records?limit=3", "/records?offset=3&limit=3", "/records?offset=6&limit=3", "/records?offset=7&limit=3",]
    );
}

#[tokio::test]
async fn a_required_offset_starts_where_the_caller_says() {
    let (server, url) = start(Fault::None).await;
    let client = offset::Client::builder().base_url(&url).build().unwrap();
    let lines: Vec<String> = client.records().list_logs(1).items().try_collect().await.unwrap();
    assert_eq!(lines, ["line 1", "line 2", "line 3", "line 4"]);
    assert_eq!(server.seen(), ["/logs?offset=1", "/logs?offset=3", "/logs?offset=5"]);
}

#[tokio::test]
async fn page_numbers_count_up_while_the_server_says_more() {
    let (server, url) = start(Fault::None).await;
    let client = numbered::Client::builder().base_url(&url).build().unwrap();
    let orders: Vec<String> = client.orders().list_orders().size(2).items().try_collect().await.unwrap();
    assert_eq!(orders, ["o1a", "o1b", "o2a", "o2b", "o3a", "o3b"]);
    assert_eq!(server.seen(), ["/orders?size=2", "/orders?page=2&size=2", "/orders?page=3&size=2"]);
}

#[tokio::test]
async fn an_error_mid_stream_ends_it_after_the_pages_before() {
    let (server, url) = start(Fault::FailSecondPage).await;
    let client = cursor::Client::builder().base_url(&url).build().unwrap();
    let results: Vec<_> = client.contacts().get_page().items().collect().await;
    assert_eq!(results.len(), 3, "two items, then the error");
    assert_eq!(results[1].as_ref().unwrap().id, "c2");
    let error = results[2].as_ref().unwrap_err();
    assert_eq!(error.status(), Some(polvo::StatusCode::BAD_REQUEST));
    assert_eq!(error.api_body().unwrap().message, "cursor expired");
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn a_repeated_cursor_ends_the_stream_instead_of_looping() {
    let (server, url) = start(Fault::RepeatCursor).await;
    let client = cursor::Client::builder().base_url(&url).build().unwrap();
    let results: Vec<_> = client.contacts().get_page().pages().collect().await;
    assert_eq!(results.len(), 4, "three pages, then the error");
    assert!(results[..3].iter().all(Result::is_ok));
    match &results[3] {
        Err(polvo::Error::Pagination(e)) => assert_eq!(*e, PaginationError::RepeatedCursor { page: 3 }),
        other => panic!("expected a repeated-cursor error, got {other:?}"),
    }
    assert_eq!(server.seen(), ["/contacts", "/contacts?after=p2", "/contacts?after=p3"]);
}
