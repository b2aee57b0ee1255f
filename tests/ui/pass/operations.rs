#![deny(warnings)]

polvo::service!("tests/specs/operations.yaml");

use operations::types::{ListItemsSort, NewItem};

async fn calls(client: &operations::Client) -> Result<(), Box<dyn std::error::Error>> {
    let page = client
        .items()
        .list_items("req-1")
        .limit(10)
        .tag(vec!["red".to_owned()])
        .sort(ListItemsSort::Name)
        .send()
        .await?;
    let _: Vec<operations::types::Item> = page.items;
    let created = client.items().create_item(NewItem { name: "x".into(), price: None }).send_response().await?;
    let _ = (created.status(), created.headers().len());
    client.items().delete_item("id").send().await?;
    client.media().upload_photo("id", polvo::Binary::from(vec![1, 2, 3])).send().await?;
    let echoed: String = client.add_note("hello").send().await?;
    let _ = echoed;
    match client.items().list_items("r").send().await {
        Err(polvo::Error::Api { body: operations::items::ListItemsError::BadRequest(p), .. }) => drop(p.title),
        _ => {}
    }
    Ok(())
}

fn assert_send<T: Send + 'static>(_: T) {}

fn main() {
    let client = operations::Client::builder().base_url("http://127.0.0.1:1").build().unwrap();
    // Requests are `'static` and `Send`, so they can be spawned.
    assert_send(client.items().list_items("r").send());
    assert_send(client.media().upload_photo("id", vec![1u8]).send_response());
    drop(calls(&client));
}
