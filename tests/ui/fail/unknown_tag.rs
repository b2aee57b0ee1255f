polvo::service!("tests/specs/operations.yaml", tags = ["media", "nope"], operations = ["noSuchOperation"]);

fn main() {}
