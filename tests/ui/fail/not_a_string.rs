polvo::service!(models);

fn main() {}
