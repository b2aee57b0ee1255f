polvo::service!("tests/specs/broken/petstore.txt");

fn main() {}
