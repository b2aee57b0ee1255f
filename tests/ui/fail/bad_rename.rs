polvo::service!("tests/specs/broken/bad-rename.yaml");

fn main() {}
