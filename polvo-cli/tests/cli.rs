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
    assert!(!report.contains("\nwebhooks ("), "no webhooks are selected: {report}");
    // Swagger 2.0 too; operation notes name the call they are about.
    let report = succeeds(&["inspect", "tests/specs/swagger/petstore.yaml"]);
    assert!(report.starts_with("service: petstore"), "{report}");
    let report = succeeds(&["inspect", "tests/specs/quirks/media-types.yaml"]);
    assert!(report.contains("note: client."), "{report}");
}

#[test]
fn inspect_lists_the_webhooks_the_section_selects() {
    let report = succeeds(&["inspect", "tests/specs/webhooks/bookings.yaml"]);
    assert!(
        report.contains(
            "webhooks (2), decoded with `polvo::webhooks::decode` or `bookings::webhooks::Event::from_name`:"
        ),
        "{report}"
    );
    assert!(report.contains("bookings::webhooks::NewBooking "), "{report}");
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
    // With the project's sidecar, the HubSpot spec is named and its
    // private-app tokens are bearer tokens.
    let spec = shared.join("hubspot/crm-contacts-v3.json");
    let report =
        succeeds(&["inspect", spec.to_str().unwrap(), "--sidecar", "tests/specs/hubspot/crm-contacts-v3.polvo.yaml"]);
    assert!(report.starts_with("service: hubspot"), "{report}");
    assert!(report.contains("private_apps (bearer token): `hubspot::auth::private_apps(..)`"), "{report}");
    assert!(report.contains("env: HUBSPOT_ACCESS_TOKEN"), "{report}");
}

#[test]
fn a_sidecar_given_apart_from_the_spec_is_read() {
    let sidecar = scratch("sidecar").join("elsewhere.polvo.yaml");
    std::fs::write(&sidecar, "name: renamed\nenv_prefix: ELSEWHERE\n").unwrap();
    let report = succeeds(&["inspect", "tests/specs/auth/contacts.yaml", "--sidecar", sidecar.to_str().unwrap()]);
    assert!(report.starts_with("service: renamed"), "{report}");
    assert!(report.contains("env: ELSEWHERE_CLIENT_ID"), "{report}");
    let missing = fails(&["inspect", "tests/specs/auth/contacts.yaml", "--sidecar", "no/such.polvo.yaml"], 1);
    assert!(missing.starts_with("error: no/such.polvo.yaml: cannot read the file"), "{missing}");
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
        polvo_codegen::Generator::new("ops").spec(root().join(spec), spec).serde_impls(polvo_codegen::SerdeImpls::Both),
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
    assert_eq!(
        line.trim_end(),
        "error: no/such/spec.yaml: cannot read the file: No such file or directory (os error 2)"
    );

    // Arguments the spec does not fit.
    let line = fails(&["login", "tests/specs/operations.yaml"], 2);
    assert_eq!(line.trim_end(), "error: the service `operations` has no OAuth 2.0 scheme to log in to");
    let line = fails(&["token", "tests/specs/auth/contacts.yaml", "--scheme", "private_apps"], 2);
    assert!(
        line.contains("`private_apps` is not an OAuth 2.0 scheme of `contacts`; its OAuth 2.0 schemes are: oauth2")
    );

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

mod login {
    use super::{polvo, scratch, stderr_of, stdout_of};

    polvo::service!("../tests/specs/auth/contacts.yaml");

    use polvo_runtime::reqwest;
    use polvo_suite::servers::{NodeServer, start_oidc};
    use std::io::{BufRead, BufReader, Lines};
    use std::path::{Path, PathBuf};
    use std::process::{Child, ChildStdout, Stdio};

    fn provider() -> NodeServer {
        start_oidc(&[]).expect("the OIDC provider starts (run `bash scripts/test.sh` to install it)")
    }

    /// A spec whose OAuth 2.0 scheme is the test provider's, with a sidecar
    /// adding its revocation and device endpoints and a public client. The
    /// service is `contacts`, as the client generated from
    /// `tests/specs/auth/contacts.yaml` below, so they share tokens.
    fn spec_for(oidc: &NodeServer, name: &str) -> PathBuf {
        let dir = scratch(name);
        let spec = format!(
            r#"openapi: 3.0.3
info: {{title: CLI login test, version: "1"}}
servers: [{{url: "https://api.example.com"}}]
paths:
  /contacts:
    get:
      operationId: listContacts
      security: [{{oauth2: [contacts.read]}}]
      responses: {{"200": {{description: ok}}}}
components:
  securitySchemes:
    oauth2:
      type: oauth2
      flows:
        authorizationCode:
          authorizationUrl: {auth}
          tokenUrl: {token}
          scopes: {{contacts.read: read contacts}}
"#,
            auth = oidc.url_for("/auth"),
            token = oidc.url_for("/token"),
        );
        let sidecar = format!(
            "name: contacts\nschemes:\n  oauth2:\n    client_auth: none\n    revocation_url: {}\n    \
             device_authorization_url: {}\n    scopes: [openid, offline_access, contacts.read]\n",
            oidc.url_for("/token/revocation"),
            oidc.url_for("/device/auth"),
        );
        std::fs::write(dir.join("api.yaml"), spec).unwrap();
        std::fs::write(dir.join("api.polvo.yaml"), sidecar).unwrap();
        dir.join("api.yaml")
    }

    /// `polvo login` running in the background, its stdout read line by line.
    fn spawn_login(spec: &Path, tokens: &Path, extra: &[&str]) -> (Child, Lines<BufReader<ChildStdout>>) {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_polvo"))
            .args(["login", spec.to_str().unwrap(), "--client-id", "polvo-public", "--timeout", "60"])
            .args(extra)
            .env("POLVO_TOKEN_DIR", tokens)
            .env_remove("CONTACTS_CLIENT_SECRET")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("polvo starts");
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        (child, lines)
    }

    /// The next line `polvo login` prints that `matches`.
    fn line_where(lines: &mut Lines<BufReader<ChildStdout>>, matches: impl Fn(&str) -> bool) -> String {
        for line in lines.by_ref() {
            let line = line.expect("readable output");
            if matches(&line) {
                return line;
            }
        }
        panic!("polvo login ended without the line it should print");
    }

    fn http() -> reqwest::Client {
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
    }

    /// `polvo <command> <spec> [extra]` with the token directory.
    fn run(command: &str, spec: &Path, tokens: &Path, extra: &[&str]) -> std::process::Output {
        polvo().args([command, spec.to_str().unwrap()]).args(extra).env("POLVO_TOKEN_DIR", tokens).output().unwrap()
    }

    /// The token files in `tokens` (the store's `.lock` files sit beside
    /// them and stay, as lock files must).
    fn token_files(tokens: &Path) -> Vec<PathBuf> {
        std::fs::read_dir(tokens)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect()
    }

    /// The one token file in `tokens`, as JSON.
    fn token_file(tokens: &Path) -> serde_json::Value {
        let files = token_files(tokens);
        assert_eq!(files.len(), 1, "{files:?}");
        assert!(files[0].file_name().unwrap().to_string_lossy().starts_with("contacts.oauth2.default."));
        serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap()
    }

    #[tokio::test]
    async fn a_browser_login_saves_tokens_that_token_shows_and_logout_revokes() {
        let oidc = provider();
        let spec = spec_for(&oidc, "login-code");
        let tokens = scratch("login-code-tokens");
        let (mut child, mut lines) = spawn_login(&spec, &tokens, &[]);
        let waiting = line_where(&mut lines, |l| l.starts_with("Open this URL"));
        let redirect_uri = waiting.split("waiting on ").nth(1).unwrap().trim_end_matches("):").to_owned();
        assert!(redirect_uri.starts_with("http://127.0.0.1:") && redirect_uri.ends_with("/callback"), "{waiting}");
        let url = line_where(&mut lines, |l| l.starts_with(&oidc.url));

        // The browser: the provider approves and redirects to the loopback listener.
        let response = http().get(&url).send().await.expect("the provider answers");
        assert_eq!(response.status().as_u16(), 303);
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with(&format!("{redirect_uri}?code=")), "{location}");
        let page = http().get(&location).send().await.expect("the listener answers");
        assert!(page.text().await.unwrap().contains("login received"));

        let rest: Vec<String> = lines.map(Result::unwrap).collect();
        let status = child.wait().unwrap();
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert!(status.success(), "login failed: {stderr}");
        assert!(rest.iter().any(|l| l.starts_with("Logged in: the tokens of contacts/oauth2 for tenant `default`")));
        // The listener is closed after use.
        let port: u16 =
            redirect_uri.trim_start_matches("http://127.0.0.1:").trim_end_matches("/callback").parse().unwrap();
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "the listener is closed");

        let saved = token_file(&tokens);
        let access = saved["access_token"].as_str().unwrap().to_owned();
        let refresh = saved["refresh_token"].as_str().expect("a refresh token").to_owned();
        assert_eq!(bearer_a_program_sends(&oidc, &tokens).await, format!("Bearer {access}"));

        // `token`: expiry and scopes, the token itself only with --show.
        let shown = run("token", &spec, &tokens, &[]);
        assert!(shown.status.success(), "{}", stderr_of(&shown));
        let text = stdout_of(&shown);
        assert!(text.contains("scopes: ") && text.contains("contacts.read"), "{text}");
        assert!(text.contains("expires: ") && text.contains("(in "), "{text}");
        assert!(text.contains("refresh token: yes"), "{text}");
        assert!(!text.contains(&access), "the token is not printed without --show");
        let text = stdout_of(&run("token", &spec, &tokens, &["--show"]));
        assert!(text.contains(&format!("access token: {access}")), "{text}");

        // `logout`: revoked at the provider, and forgotten.
        let out = run("logout", &spec, &tokens, &["--client-id", "polvo-public"]);
        assert!(out.status.success(), "{}", stderr_of(&out));
        assert!(stdout_of(&out).starts_with("revoked and forgot the tokens of contacts/oauth2/default"));
        assert_eq!(token_files(&tokens), Vec::<PathBuf>::new(), "the token file is gone");
        let form =
            [("grant_type", "refresh_token"), ("refresh_token", refresh.as_str()), ("client_id", "polvo-public")];
        let refreshed = http().post(oidc.url_for("/token")).form(&form).send().await.unwrap();
        assert_eq!(refreshed.status().as_u16(), 400, "the revoked refresh token no longer works");
        let after = run("token", &spec, &tokens, &[]);
        assert_eq!(after.status.code(), Some(3));
        assert!(stderr_of(&after).starts_with("error: no saved tokens for contacts/oauth2/default"));
    }

    /// What a program's generated client sends when its builder is given
    /// the token store `polvo login` saved to: logged in once, it just works.
    async fn bearer_a_program_sends(oidc: &NodeServer, tokens: &Path) -> String {
        let api = wiremock::MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::method("GET"))
            .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(serde_json::json!({"results": []})))
            .mount(&api)
            .await;
        let client = contacts::Client::builder()
            .base_url(api.uri())
            .credential(
                contacts::auth::oauth2("polvo-public")
                    .client_auth(polvo::auth::ClientAuth::None)
                    .token_url(oidc.url_for("/token")),
            )
            .token_store(polvo::auth::FileStore::new(tokens).unwrap())
            .build()
            .unwrap();
        client.contacts().list_contacts().send().await.expect("an authorized call");
        let requests = api.received_requests().await.unwrap();
        requests[0].headers.get("authorization").unwrap().to_str().unwrap().to_owned()
    }

    #[tokio::test]
    async fn a_device_login_saves_tokens() {
        let oidc = provider();
        let spec = spec_for(&oidc, "login-device");
        let tokens = scratch("login-device-tokens");
        let (mut child, mut lines) = spawn_login(&spec, &tokens, &["--device"]);
        let prompt = line_where(&mut lines, |l| l.starts_with("To log in, open"));
        let user_code = prompt.rsplit(' ').next().unwrap().to_owned();
        assert!(prompt.contains(&oidc.url), "{prompt}");
        let approved = http()
            .post(oidc.url_for("/__test/device/approve"))
            .form(&[("user_code", user_code.as_str())])
            .send()
            .await
            .unwrap();
        assert!(approved.status().is_success());
        let status = child.wait().unwrap();
        assert!(status.success(), "the device login completes");
        assert!(token_file(&tokens)["access_token"].is_string());
        let text = stdout_of(&run("token", &spec, &tokens, &[]));
        assert!(text.contains("contacts.read"), "{text}");
    }

    #[test]
    fn a_login_without_a_client_id_says_which_variable_to_set() {
        let spec = scratch("no-client").join("contacts.yaml");
        std::fs::copy(super::root().join("tests/specs/auth/contacts.yaml"), &spec).unwrap();
        let out = polvo().args(["login", spec.to_str().unwrap()]).env_remove("CONTACTS_CLIENT_ID").output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(
            stderr_of(&out).trim_end(),
            "error: no client id for `oauth2`: pass --client-id or set CONTACTS_CLIENT_ID"
        );
    }
}
