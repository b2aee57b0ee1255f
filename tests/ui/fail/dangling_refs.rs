// Every dangling reference is reported in one build, each with its JSON pointer.
polvo::service!("tests/specs/broken/dangling-refs.yaml");

fn main() {}
