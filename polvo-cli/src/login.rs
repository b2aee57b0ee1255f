//! `polvo login`: the authorization code flow with PKCE through a
//! loopback redirect, or the device flow, saving the tokens in the default
//! file store.

use clap::Args;
use polvo_codegen::model::Service;
use polvo_runtime::__private::AuthState;
use std::time::Duration;

use crate::callback::Loopback;
use crate::error::CliError;
use crate::oauth::{OAuthArgs, Tokens, auth_state, find_scheme};
use crate::spec::SpecArgs;

/// `polvo login --help`'s closing text.
pub const LOGIN_HELP: &str = concat!(
    "Tokens are saved in $POLVO_TOKEN_DIR, else $XDG_DATA_HOME/polvo/tokens, else\n",
    "~/.local/share/polvo/tokens, one file per service, scheme and tenant, readable\n",
    "only by you. A generated client uses them (and refreshes them) with\n",
    "`.token_store(polvo::auth::FileStore::default_location()?)` on its builder.\n\n",
    exit_codes!()
);

/// Arguments of `polvo login`.
#[derive(Args, Debug)]
pub struct LoginArgs {
    #[command(flatten)]
    spec: SpecArgs,
    #[command(flatten)]
    oauth: OAuthArgs,
    /// A scope to ask for (repeatable; default: the scheme's default scopes).
    #[arg(long = "scope", value_name = "SCOPE")]
    scopes: Vec<String>,
    /// Use the device flow (RFC 8628): approve on any device with a browser.
    #[arg(long)]
    device: bool,
    /// The port of the loopback redirect (default: any free one). For
    /// providers that want the exact redirect URI registered.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Open the login URL in the default browser.
    #[arg(long)]
    open: bool,
    /// How long to wait for the login, in seconds.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    timeout: u64,
}

/// Runs `polvo login`.
pub async fn run(args: &LoginArgs) -> Result<(), CliError> {
    let service = args.spec.service()?;
    let scheme = find_scheme(&service, args.oauth.scheme.as_deref())?.scheme;
    let tokens = Tokens::open(&service, scheme, &args.oauth.tenant)?;
    let scopes: Vec<&str> = args.scopes.iter().map(String::as_str).collect();
    if args.device {
        let state = auth_state(&service, scheme, &args.oauth, None, &tokens)?;
        device_login(args, &state, &scheme.name, &scopes).await?;
    } else {
        let loopback = Loopback::bind(args.port).await?;
        let state = auth_state(&service, scheme, &args.oauth, Some(loopback.redirect_uri().to_owned()), &tokens)?;
        browser_login(args, &state, &scheme.name, &scopes, loopback).await?;
    }
    saved(&service, &scheme.name, &args.oauth.tenant, &tokens);
    Ok(())
}

/// The authorization code flow: prints the URL, waits for the redirect,
/// exchanges the code.
async fn browser_login(
    args: &LoginArgs,
    state: &AuthState,
    scheme: &str,
    scopes: &[&str],
    loopback: Loopback,
) -> Result<(), CliError> {
    let tenant = args.oauth.tenant.as_str();
    let login = state.auth_url(Some(scheme), scopes, tenant)?;
    println!("Open this URL in a browser to log in (waiting on {}):", loopback.redirect_uri());
    println!("{}", login.url());
    if args.open {
        open_browser(login.url());
    }
    let redirect = loopback.wait(Duration::from_secs(args.timeout)).await?;
    state.fetch_access_token(Some(scheme), tenant, &redirect.code, &redirect.state).await?;
    Ok(())
}

/// The device flow: prints where to approve, waits until approved.
async fn device_login(args: &LoginArgs, state: &AuthState, scheme: &str, scopes: &[&str]) -> Result<(), CliError> {
    let login = state.device_login(Some(scheme), scopes, &args.oauth.tenant).await?;
    println!("To log in, open {} and enter the code {}", login.verification_uri(), login.user_code());
    if let Some(complete) = login.verification_uri_complete() {
        println!("(or open {complete})");
    }
    if args.open {
        open_browser(login.verification_uri_complete().unwrap_or(login.verification_uri()));
    }
    let waited =
        tokio::time::timeout(Duration::from_secs(args.timeout), state.finish_device_login(Some(scheme), &login));
    match waited.await {
        Ok(result) => result.map_err(CliError::from),
        Err(_) => Err(CliError::Auth(format!("the login was not approved within {} s", args.timeout))),
    }
}

/// Tells where the tokens went and how a program uses them.
fn saved(service: &Service, scheme: &str, tenant: &str, tokens: &Tokens) {
    println!(
        "Logged in: the tokens of {}/{scheme} for tenant `{tenant}` are in {}",
        service.module,
        tokens.file().display()
    );
    println!(
        "A client built with `.token_store(polvo::auth::FileStore::default_location()?)` uses them (store: {}).",
        tokens.dir.display()
    );
}

/// Asks the desktop to open `url`; says so when it cannot (the URL is printed anyway).
fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        std::process::Command::new("open").arg(url).spawn()
    } else if cfg!(windows) {
        std::process::Command::new("cmd").args(["/C", "start", "", url]).spawn()
    } else {
        std::process::Command::new("xdg-open").arg(url).spawn()
    };
    if let Err(e) = command {
        eprintln!("could not open a browser ({e}): open the URL above yourself");
    }
}
