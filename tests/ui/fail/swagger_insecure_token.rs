polvo::service!("tests/specs/broken/swagger-insecure-token.yaml");

fn main() {}
