#![deny(warnings)]

// Two services in one crate do not collide, and `name` renames the module.
polvo::service!("tests/specs/models.yaml");
polvo::service!("tests/specs/models.yaml", name = "models_again");
polvo::service!("tests/specs/split/api.yaml", name = "pets");

fn main() {
    let a = models::Client::new().unwrap();
    let b = models_again::Client::new().unwrap();
    assert_eq!(a.base_url(), b.base_url());
    let c = pets::Client::new().unwrap();
    let _ = c.pets().list_pets().limit(3);
    let pet = pets::types::Pet { name: "Rex".into(), owner: None, toys: Some(vec![pets::types::Toy { label: None }]) };
    let _ = pet;
}
