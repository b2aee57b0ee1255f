// Only the `media` operations are generated, so `items()` does not exist.
polvo::service!("tests/specs/operations.yaml", tags = ["media"]);

fn main() {
    let client = operations::Client::new().unwrap();
    let _ = client.items();
}
