polvo::service!(
    "tests/specs/operations.yaml"
);

// A required parameter is an argument: leaving it out does not compile.
fn main() {
    let client = operations::Client::new().unwrap();
    let _ = client.items().get_item();
}
