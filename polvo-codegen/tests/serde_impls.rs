//! Which serde impls the generated types get: by default only those each
//! type's use needs; with `SerdeImpls::Both` (from the generator or the
//! spec's `x-polvo` section) all of them.

use polvo_codegen::{Generator, SerdeImpls};
use std::path::Path;

/// A spec of the root crate's `tests/specs`.
fn spec(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/specs").join(name)
}

/// The generated code without whitespace, for matching impl headers.
fn expand(generator: Generator) -> String {
    let output = generator.generate().expect("the spec expands");
    output.tokens.to_string().split_whitespace().collect()
}

fn serialize(code: &str, ty: &str) -> bool {
    code.contains(&format!("implSerializefor{ty}{{"))
}

fn deserialize(code: &str, ty: &str) -> bool {
    code.contains(&format!("impl<'de>Deserialize<'de>for{ty}{{"))
}

/// `(Serialize, Deserialize)` of each type, in the order given.
fn impls(code: &str, types: &[&str]) -> Vec<(bool, bool)> {
    types.iter().map(|ty| (serialize(code, ty), deserialize(code, ty))).collect()
}

const ORDER_TYPES: [&str; 6] = ["NewOrder", "Payment", "Card", "Order", "Line", "OrderTotal"];

#[test]
fn by_default_a_type_gets_the_impls_its_use_needs() {
    let code = expand(Generator::new("orders").spec(spec("serde-both.yaml"), "serde-both.yaml"));
    let sent = (true, false);
    let received = (false, true);
    assert_eq!(impls(&code, &ORDER_TYPES), [sent, sent, sent, received, received, received]);
}

#[test]
fn both_gives_every_type_both_impls() {
    let generator =
        Generator::new("orders").spec(spec("serde-both.yaml"), "serde-both.yaml").serde_impls(SerdeImpls::Both);
    let code = expand(generator);
    assert_eq!(impls(&code, &ORDER_TYPES), [(true, true); 6]);
}

#[test]
fn the_generator_option_wins_over_the_section() {
    let from_section = expand(Generator::new("pings").spec(spec("serde-section.yaml"), "serde-section.yaml"));
    assert_eq!(impls(&from_section, &["Ping", "Pong"]), [(true, true); 2]);
    let overridden = expand(
        Generator::new("pings").spec(spec("serde-section.yaml"), "serde-section.yaml").serde_impls(SerdeImpls::Needed),
    );
    assert_eq!(impls(&overridden, &["Ping", "Pong"]), [(true, false), (false, true)]);
}

#[test]
fn a_bad_section_value_is_an_error_at_its_pointer() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let path = dir.path().join("bad.yaml");
    let text = std::fs::read_to_string(spec("serde-section.yaml")).expect("the spec reads");
    std::fs::write(&path, text.replace("serde: both", "serde: always")).expect("the spec writes");
    let diags = Generator::new("pings").spec(&path, "bad.yaml").generate().expect_err("`always` is refused");
    let message = diags.errors().map(ToString::to_string).collect::<Vec<_>>().join("\n");
    assert_eq!(
        message,
        "bad.yaml#/x-polvo/serde: invalid `x-polvo` section: unknown variant `always`, expected `needed` or `both`"
    );
}

#[test]
fn the_expansion_cache_keeps_the_choices_apart() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let cache = polvo_codegen::ExpansionCache::new(dir.path());
    let generator = Generator::new("orders").spec(spec("serde-both.yaml"), "serde-both.yaml");
    let code = |generator: &Generator| -> String {
        let output = cache.generate(generator).expect("the spec expands");
        output.tokens.to_string().split_whitespace().collect()
    };
    assert!(!serialize(&code(&generator), "Order"));
    assert!(serialize(&code(&generator.clone().serde_impls(SerdeImpls::Both)), "Order"));
    assert!(!serialize(&code(&generator), "Order"), "the first expansion is still cached as it was");
}
