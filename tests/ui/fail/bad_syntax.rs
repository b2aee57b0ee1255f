polvo::service!("tests/specs/broken/bad-syntax.yaml");

fn main() {}
