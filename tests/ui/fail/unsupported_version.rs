polvo::service!("tests/specs/broken/version.yaml");

fn main() {}
