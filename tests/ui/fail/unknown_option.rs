polvo::service!("tests/specs/models.yaml", colour = "blue");

fn main() {}
