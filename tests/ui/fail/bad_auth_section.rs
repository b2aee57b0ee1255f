// The x-polvo section is checked when the crate compiles: every problem, at its pointer.
polvo::service!("tests/specs/broken/bad-auth.yaml");

fn main() {}
