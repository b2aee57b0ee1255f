polvo::service!("tests/specs/models.yaml", crate = "my-polvo");

fn main() {}
