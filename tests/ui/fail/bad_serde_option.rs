polvo::service!("tests/specs/models.yaml", serde = "always");

fn main() {}
