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

#[test]
fn github_app() {
    let out = run("github_app");
    assert!(out.contains("authenticated as the app polvo demo app (polvo-demo), id 123456"), "{out}");
    assert!(out.contains("seen by installation 1001") && out.contains("seen by installation 2002"), "{out}");
}

#[test]
fn hubspot_oauth() {
    let out = run("hubspot_oauth");
    assert!(out.contains("logged in (tenant `default`)"), "{out}");
    assert!(out.contains("the provider saw 1 refresh request(s)"), "{out}");
    assert!(out.contains("after revoking: no tokens for `oauth2`"), "{out}");
}

#[test]
fn hubspot_prism() {
    let out = run("hubspot_prism");
    if out.starts_with("skipped:") {
        eprintln!("{out}");
        return;
    }
    for line in ["page: ", "created contact ", "read contact ", "Invalid security scheme used"] {
        assert!(out.contains(line), "`{line}` in:\n{out}");
    }
    assert!(out.contains("every request conformed to HubSpot's spec"), "{out}");
}
