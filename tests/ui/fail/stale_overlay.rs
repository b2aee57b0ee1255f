// An overlay next to the spec whose actions no longer fit: each error
// names the overlay file and the action's pointer.
polvo::service!("tests/specs/broken/stale-overlay.yaml");

fn main() {}
