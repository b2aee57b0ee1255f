//! The examples run and print what they promise. `cargo test` builds them
//! before running tests, so their binaries are next to this test's.

use std::path::PathBuf;
use std::process::Command;

fn example(name: &str) -> PathBuf {
    // This test runs from target/<profile>/deps/; examples are in target/<profile>/examples/.
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>");
    profile_dir.join("examples").join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

fn run(name: &str) -> String {
    let path = example(name);
    assert!(path.is_file(), "{} was not built; run the tests with `cargo test`", path.display());
    let output = Command::new(&path)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("STRIPE_API_KEY")
        .env_remove("GITHUB_APP_PRIVATE_KEY")
        .env_remove("GITHUB_APP_PRIVATE_KEY_FILE")
        .env_remove("GITHUB_APP_ID")
        .env_remove("GITHUB_APP_PUBLIC_KEY")
        .env_remove("HUBSPOT_ACCESS_TOKEN")
        .output()
        .expect("the example starts");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{name} failed:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    stdout
}

#[test]
fn demo() {
    let out = run("demo");
    assert!(out.contains("created #4: Biscuit the dog (available)"), "{out}");
    assert!(out.contains("GET /pets/404 -> 404 Not Found: Not found"), "{out}");
    assert!(out.contains("Unknown(\"on_holiday\")"), "{out}");
}

#[test]
fn stripe_api_key() {
    let out = run("stripe_api_key");
    assert!(out.contains("created cus_0001 (ada@example.com), metadata {\"order\": \"6735\"}"), "{out}");
    assert!(out.contains("with a wrong key: 401 Unauthorized: Invalid API Key provided."), "{out}");
}

/// Runs an example that needs `../shared/specs/<spec>`: `None` when that
/// file is absent (the example must then say it skipped). When it is there
/// the example must run, so missing test servers fail the test.
fn run_with_shared_spec(name: &str, spec: &str) -> Option<String> {
    let out = run(name);
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/specs").join(spec);
    if !spec.is_file() {
        assert!(out.starts_with("skipped:"), "{name} ran without {}:\n{out}", spec.display());
        eprintln!("{name}: {out}");
        return None;
    }
    assert!(!out.starts_with("skipped:"), "{name} skipped although {} is there:\n{out}", spec.display());
    Some(out)
}

#[test]
fn github_app() {
    let Some(out) = run_with_shared_spec("github_app", "github.json") else { return };
    // Prism answers with the examples of GitHub's spec.
    for line in [
        "authenticated as the app Octocat App (octoapp), id 1",
        "installation 1001: 1 repository(ies): octocat/Hello-World",
        "installation 2002: 1 repository(ies): octocat/Hello-World",
        "installation `octo-org`: ",
        "Request path parameter installation_id must be integer",
        "all but the one for `octo-org` conformed to GitHub's spec",
    ] {
        assert!(out.contains(line), "`{line}` in:\n{out}");
    }
}

#[test]
fn hubspot_oauth() {
    let Some(out) = run_with_shared_spec("hubspot_oauth", "hubspot/crm-contacts-v3.json") else { return };
    for line in [
        "logged in (tenant `default`)",
        "page 1: ",
        "page 2: ",
        "listed 2 page(s); the provider saw 1 refresh request(s)",
        "after revoking: no tokens for `oauth2`",
        "and every one conformed to HubSpot's spec",
    ] {
        assert!(out.contains(line), "`{line}` in:\n{out}");
    }
}

#[test]
fn hubspot_prism() {
    let Some(out) = run_with_shared_spec("hubspot_prism", "hubspot/crm-contacts-v3.json") else { return };
    for line in ["page: ", "created contact ", "read contact ", "Invalid security scheme used"] {
        assert!(out.contains(line), "`{line}` in:\n{out}");
    }
    assert!(out.contains("every request conformed to HubSpot's spec"), "{out}");
}
