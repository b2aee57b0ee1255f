polvo::service!("tests/specs/broken/duplicate-key.json");

fn main() {}
