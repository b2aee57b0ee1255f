//! The `polvo` binary, run as a user runs it: `inspect` on the vendor
//! specs and the suite's, `generate` against the macro's expansion, bad
//! arguments and broken specs, and `login` / `token` / `logout` against a
//! real OAuth 2.0 provider (oidc-provider, `tests/servers/oidc.mjs`) with
//! the browser step played by an HTTP client.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The suite's root, where `tests/specs` and `../shared` are.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `polvo` run from the suite's root.
fn polvo() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_polvo"));
    command.current_dir(root());
    command
}

fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs `polvo args` and returns its stdout; it must succeed.
fn succeeds(args: &[&str]) -> String {
    let output = polvo().args(args).output().expect("polvo runs");
    assert!(output.status.success(), "polvo {args:?} failed: {}", stderr_of(&output));
    stdout_of(&output)
}

/// Runs `polvo args`, which must fail with `code`; returns stderr.
fn fails(args: &[&str], code: i32) -> String {
    let output = polvo().args(args).output().expect("polvo runs");
    assert_eq!(output.status.code(), Some(code), "polvo {args:?}: {}", stderr_of(&output));
    assert!(output.stdout.is_empty(), "nothing on stdout: {}", stdout_of(&output));
    stderr_of(&output)
}

#[test]
fn inspect_shows_schemes_with_their_variables_and_operations_as_calls() {
    let report = succeeds(&["inspect", "tests/specs/auth/contacts.yaml"]);
    assert!(report.starts_with("service: contacts"), "{report}");
    assert!(report.contains("oauth2 (OAuth 2.0: authorization code (polvo login)): `contacts::auth::oauth2(..)`"));
    assert!(report.contains("env: CONTACTS_CLIENT_ID, CONTACTS_CLIENT_SECRET, CONTACTS_REFRESH_TOKEN"), "{report}");
    assert!(report.contains("revocation: https://auth.contacts.example.com/revoke"), "{report}");
    assert!(report.contains("private_apps (bearer token)") && report.contains("env: CONTACTS_ACCESS_TOKEN"));
    for line in [
        "client.contacts().list_contacts()       GET /contacts",
        "client.contacts().create_contact(body)  POST /contacts",
        "client.contacts().merge_contacts(id)    POST /contacts/{id}/merge",
        "client.health()                         GET /health",
    ] {
        assert!(report.contains(line), "`{line}` in:\n{report}");
    }
}

#[test]
fn inspect_names_what_degrades_with_its_place() {
    let report = succeeds(&["inspect", "tests/specs/models-3.1.yaml"]);
    assert!(report.contains("what degrades (2):"), "{report}");
    assert!(report.contains(
        "warning: tests/specs/models-3.1.yaml#/components/schemas/Record/properties/code: \
         accepts several types (string, integer); kept as a JSON value"
    ));
    assert!(report.contains("warning: tests/specs/models-3.1.yaml#/webhooks: the spec describes webhooks"));
    // Swagger 2.0 too; operation notes name the call they are about.
    let report = succeeds(&["inspect", "tests/specs/swagger/petstore.yaml"]);
    assert!(report.starts_with("service: petstore"), "{report}");
    let report = succeeds(&["inspect", "tests/specs/quirks/media-types.yaml"]);
    assert!(report.contains("note: client."), "{report}");
}

#[test]
fn inspect_reads_the_vendor_specs() {
    let shared = root().join("../shared/specs");
    if !shared.is_dir() {
        eprintln!("skipped: {} is absent", shared.display());
        return;
    }
    let cases = [
        ("hubspot/crm-contacts-v3.json", "client.basic().get_page()"),
        ("hubspot/crm-contacts-v3.json", "client.basic().update(contact_id, body)"),
        ("github.json", "client.repos().get(owner, repo)"),
        ("stripe.json", "auth schemes:"),
    ];
    for (spec, expected) in cases {
        let path = shared.join(spec);
        let report = succeeds(&["inspect", path.to_str().unwrap()]);
        assert!(report.contains(expected), "{spec}: `{expected}` missing");
    }
    // With the project's sidecar next to it, the HubSpot spec is named and
    // its private-app tokens are bearer tokens.
    let dir = scratch("inspect-sidecar");
    std::fs::copy(shared.join("hubspot/crm-contacts-v3.json"), dir.join("crm-contacts-v3.json")).unwrap();
    std::fs::copy(root().join("tests/specs/hubspot/crm-contacts-v3.polvo.yaml"), dir.join("crm-contacts-v3.polvo.yaml"))
        .unwrap();
    let report = succeeds(&["inspect", dir.join("crm-contacts-v3.json").to_str().unwrap()]);
    assert!(report.starts_with("service: hubspot"), "{report}");
}

/// The macro's expansion of `generator`, formatted, without the
/// `include_bytes!` lines of its rebuild tracking.
fn macro_expansion(generator: polvo_codegen::Generator) -> String {
    let formatted = generator.track_files(true).generate().expect("generates").formatted().expect("parses");
    formatted.lines().filter(|line| !line.contains("include_bytes!")).map(|line| format!("{line}\n")).collect()
}

#[test]
fn generate_writes_the_macros_expansion_formatted() {
    let spec = "tests/specs/operations.yaml";
    let expected = macro_expansion(
        polvo_codegen::Generator::with_fallback_name("operations").spec(root().join(spec), spec).tags(["items"]),
    );
    assert_eq!(succeeds(&["generate", spec, "--tag", "items"]), expected);

    let dir = scratch("generate");
    let file = dir.join("operations.rs");
    succeeds(&["generate", spec, "--tag", "items", "-o", file.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), expected);

    // Options of the macro: name and serde impls.
    let expected = macro_expansion(
        polvo_codegen::Generator::new("ops")
            .spec(root().join(spec), spec)
            .serde_impls(polvo_codegen::SerdeImpls::Both),
    );
    assert_eq!(succeeds(&["generate", spec, "--name", "ops", "--serde", "both"]), expected);
}

#[test]
fn bad_arguments_and_broken_specs_fail_with_one_line_each_and_their_exit_code() {
    // Usage errors: clap's, exit code 2.
    assert!(fails(&["inspect"], 2).contains("required arguments were not provided"));
    assert!(fails(&["frobnicate"], 2).contains("unrecognized subcommand"));
    let line = fails(&["generate", "tests/specs/operations.yaml", "--serde", "all"], 2);
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.starts_with("error: --serde: `serde = \"all\"` is not a choice"), "{line}");

    // A spec with errors: every one on its line, each with file and pointer.
    let errors = fails(&["inspect", "tests/specs/broken/dangling-refs.yaml"], 1);
    assert!(errors.lines().count() >= 2, "{errors}");
    for line in errors.lines() {
        assert!(line.starts_with("error: tests/specs/broken/dangling-refs.yaml#/"), "{line}");
    }
    let line = fails(&["generate", "tests/specs/broken/bad-syntax.yaml"], 1);
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.starts_with("error: tests/specs/broken/bad-syntax.yaml:"), "a line and column: {line}");
    let line = fails(&["inspect", "no/such/spec.yaml"], 1);
    assert_eq!(line.trim_end(), "error: no/such/spec.yaml: cannot read the file: No such file or directory (os error 2)");

    // Arguments the spec does not fit.
    let line = fails(&["login", "tests/specs/operations.yaml"], 2);
    assert_eq!(line.trim_end(), "error: the service `operations` has no OAuth 2.0 scheme to log in to");
    let line = fails(&["token", "tests/specs/auth/contacts.yaml", "--scheme", "private_apps"], 2);
    assert!(line.contains("`private_apps` is not an OAuth 2.0 scheme of `contacts`; its OAuth 2.0 schemes are: oauth2"));

    // An output that cannot be written.
    let blocker = scratch("unwritable").join("file");
    std::fs::write(&blocker, "").unwrap();
    let target = blocker.join("out.rs");
    let line = fails(&["generate", "tests/specs/operations.yaml", "-o", target.to_str().unwrap()], 4);
    assert!(line.starts_with("error: cannot write"), "{line}");
}

/// An empty directory of this test process.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("polvo-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
