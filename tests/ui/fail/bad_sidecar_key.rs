polvo::service!("tests/specs/broken/typo.yaml");

fn main() {}
