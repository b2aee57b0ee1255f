polvo::service!("no-such-spec.yaml");

fn main() {}
