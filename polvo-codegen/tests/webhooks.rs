//! Which webhooks get payload types: those the `x-polvo` section's
//! `webhooks` key selects, from 3.1 `webhooks` or the `x-webhooks`
//! extension; a name that matches none is an error at its place in the
//! section.

mod support;

use polvo_codegen::Generator;
use support::scratch_spec;

/// A 3.0 spec with one operation, GitHub-style `x-webhooks` (a `$ref`
/// body, an inline one, a form one) and the given `x-polvo` section (YAML, indented under the key).
fn spec_with(section: &str) -> String {
    format!(
        "openapi: 3.0.3\n\
         info: {{title: Hooks, version: '1'}}\n\
         paths: {{/health: {{get: {{operationId: health, responses: {{'200': {{description: up, content: {{application/json: {{schema: {{$ref: '#/components/schemas/health'}}}}}}}}}}}}}}}}\n\
         x-polvo:\n{section}\n\
         x-webhooks:\n  \
           push:\n    post:\n      summary: A push.\n      requestBody:\n        content:\n          \
             application/json:\n            schema: {{$ref: '#/components/schemas/push-event'}}\n      \
             responses: {{'200': {{description: ok}}}}\n  \
           ping:\n    post:\n      requestBody:\n        content:\n          \
             application/json:\n            schema:\n              type: object\n              \
             properties: {{zen: {{type: string}}}}\n      \
             responses: {{'200': {{description: ok}}}}\n  \
           form-only:\n    post:\n      requestBody:\n        content:\n          \
             application/x-www-form-urlencoded:\n            schema: {{type: object}}\n      \
             responses: {{'200': {{description: ok}}}}\n\
         components:\n  schemas:\n    \
           health:\n      type: object\n      properties: {{up: {{type: boolean}}}}\n    \
           push-event:\n      type: object\n      properties: {{ref: {{type: string}}}}\n    \
           unrelated:\n      type: object\n      properties: {{id: {{type: string}}}}\n"
    )
}

/// The generated code without whitespace.
fn expand(section: &str) -> String {
    let spec = scratch_spec("hooks.yaml", &spec_with(section));
    let output = Generator::new("hooks").spec(&*spec, "hooks.yaml").generate().expect("the spec expands");
    output.tokens.to_string().split_whitespace().collect()
}

#[test]
fn selected_webhooks_get_payload_types_and_only_what_they_reach() {
    let code = expand("  webhooks: [push, ping]");
    assert!(code.contains("pubtypePush=types::PushEvent;"), "{code}");
    assert!(code.contains("pubtypePing=types::Ping;"), "{code}");
    assert!(code.contains("pubstructPushEvent"), "{code}");
    assert!(!code.contains("pubstructUnrelated"), "a schema no webhook or operation reaches is generated: {code}");
    assert!(code.contains("pubenumEvent{"), "{code}");
}

#[test]
fn all_webhooks_with_true_none_without_the_key() {
    let code = expand("  webhooks: true");
    assert!(code.contains("pubtypePush=") && code.contains("pubtypePing="), "{code}");
    // A webhook without a JSON body gets no type (and a warning).
    assert!(!code.contains("FormOnly"), "{code}");

    for section in ["  name: hooks", "  webhooks: false"] {
        let code = expand(section);
        assert!(!code.contains("pubmodwebhooks"), "{section}: {code}");
        assert!(!code.contains("pubstructPushEvent"), "{section}: {code}");
    }
}

#[test]
fn a_body_without_json_is_a_warning_at_the_webhook() {
    let spec = scratch_spec("hooks.yaml", &spec_with("  webhooks: [form-only, push]"));
    let output = Generator::new("hooks").spec(&*spec, "hooks.yaml").generate().expect("the spec expands");
    let warning = output.warnings.iter().find(|w| w.message.contains("form-only")).expect("a warning");
    assert_eq!(warning.place(), "hooks.yaml#/x-webhooks/form-only");
    assert!(warning.message.contains("no JSON request body"), "{}", warning.message);
}

#[test]
fn an_unknown_webhook_name_is_an_error_at_its_place_in_the_section() {
    let spec = scratch_spec("hooks.yaml", &spec_with("  webhooks: [push, pull]"));
    let errors = Generator::new("hooks").spec(&*spec, "hooks.yaml").generate().expect_err("an unknown name");
    let error = errors.errors().next().expect("an error");
    assert_eq!(error.place(), "hooks.yaml#/x-polvo/webhooks/1");
    assert!(error.message.contains("`pull` is no webhook of the spec"), "{}", error.message);
    assert!(error.message.contains("`push`, `ping`, `form-only`"), "{}", error.message);
}

#[test]
fn an_unknown_name_in_a_sidecar_points_into_the_sidecar() {
    let spec = scratch_spec("hooks.yaml", &spec_with("  name: hooks"));
    let sidecar = spec.parent().expect("a directory").join("hooks.polvo.yaml");
    std::fs::write(&sidecar, "webhooks: [ping, nope]\n").expect("write the sidecar");
    let errors = Generator::new("hooks")
        .spec(&*spec, "hooks.yaml")
        .sidecar(&sidecar, "hooks.polvo.yaml")
        .generate()
        .expect_err("an unknown name");
    let places: Vec<String> = errors.errors().map(|e| e.place()).collect();
    assert_eq!(places, ["hooks.polvo.yaml#/webhooks/1"]);
}

/// A group (tag) named `webhooks` keeps its module; the payloads' module is
/// `webhooks_2`.
#[test]
fn a_group_named_webhooks_keeps_its_module() {
    let text =
        spec_with("  webhooks: [ping]").replace("operationId: health,", "operationId: health, tags: [webhooks],");
    let spec = scratch_spec("hooks.yaml", &text);
    let output = Generator::new("hooks").spec(&*spec, "hooks.yaml").generate().expect("the spec expands");
    let code: String = output.tokens.to_string().split_whitespace().collect();
    assert!(code.contains("pubmodwebhooks{"), "{code}");
    assert!(code.contains("pubmodwebhooks_2{usesuper::types;"), "{code}");
}

/// `spec_with`, the `push` webhook's operation having the id `repo/push`
/// and `ping`'s the id `ping_id`.
fn spec_with_operation_ids(section: &str, ping_id: &str) -> String {
    spec_with(section)
        .replace("      summary: A push.\n", "      summary: A push.\n      operationId: repo/push\n")
        .replace("  ping:\n    post:\n", &format!("  ping:\n    post:\n      operationId: {ping_id}\n"))
}

/// Webhooks whose operations have ids decode by them (what
/// `polvo::webhooks::github::decode_event` needs); a spec without ids gets
/// none of those items.
#[test]
fn operation_ids_decode_by_them_and_a_spec_without_them_gets_no_such_items() {
    let spec = scratch_spec("hooks.yaml", &spec_with_operation_ids("  webhooks: true", "hooks/ping"));
    let output = Generator::new("hooks").spec(&*spec, "hooks.yaml").generate().expect("the spec expands");
    let code: String = output.tokens.to_string().split_whitespace().collect();
    assert!(code.contains(r#"pubconstOPERATION_IDS:&'static[&'staticstr]=&["repo/push","hooks/ping"];"#), "{code}");
    assert!(code.contains(r#"letname=matchoperation_id{"repo/push"=>"push","hooks/ping"=>"ping","#), "{code}");
    assert!(code.contains(r#"Self::Push(_)=>Some("repo/push"),"#), "{code}");
    assert!(code.contains("impl::polvo::webhooks::FromOperationIdforEvent{"), "{code}");

    let code = expand("  webhooks: true");
    assert!(code.contains("pubenumEvent{"), "{code}");
    assert!(!code.contains("OPERATION_IDS") && !code.contains("FromOperationId"), "{code}");
}

/// Only some webhooks have ids: the others decode by name only.
#[test]
fn a_webhook_without_an_operation_id_has_none() {
    let text = spec_with("  webhooks: true")
        .replace("      summary: A push.\n", "      summary: A push.\n      operationId: repo/push\n");
    let spec = scratch_spec("hooks.yaml", &text);
    let output = Generator::new("hooks").spec(&*spec, "hooks.yaml").generate().expect("the spec expands");
    let code: String = output.tokens.to_string().split_whitespace().collect();
    assert!(code.contains(r#"pubconstOPERATION_IDS:&'static[&'staticstr]=&["repo/push"];"#), "{code}");
    assert!(code.contains("Self::Ping(_)=>None,"), "{code}");
}

/// Two webhooks with one operation id: the first decodes by it, the
/// second by name only, and a warning at the second says so.
#[test]
fn a_repeated_operation_id_is_a_warning_at_the_later_webhook() {
    let spec = scratch_spec("hooks.yaml", &spec_with_operation_ids("  webhooks: true", "repo/push"));
    let output = Generator::new("hooks").spec(&*spec, "hooks.yaml").generate().expect("the spec expands");
    let code: String = output.tokens.to_string().split_whitespace().collect();
    assert!(code.contains(r#"pubconstOPERATION_IDS:&'static[&'staticstr]=&["repo/push"];"#), "{code}");
    let warning = output.warnings.iter().find(|w| w.message.contains("operationId")).expect("a warning");
    assert_eq!(warning.place(), "hooks.yaml#/x-webhooks/ping");
    assert_eq!(
        warning.message,
        "the webhook `ping` has the operationId `repo/push` of the webhook `push`; only `push` is decoded by that \
         operation id"
    );
}
