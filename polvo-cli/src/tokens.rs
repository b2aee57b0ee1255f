//! `polvo token` and `polvo logout`: the saved tokens of a scheme.

use clap::Args;
use polvo_runtime::auth::TokenStore;
use polvo_runtime::secrecy::ExposeSecret;
use std::time::SystemTime;

use crate::error::CliError;
use crate::oauth::{OAuthArgs, Tokens, auth_state, find_scheme};
use crate::spec::SpecArgs;

/// Arguments of `polvo token`.
#[derive(Args, Debug)]
pub struct TokenArgs {
    #[command(flatten)]
    spec: SpecArgs,
    #[command(flatten)]
    oauth: OAuthArgs,
    /// Also print the access token itself.
    #[arg(long)]
    show: bool,
}

/// Arguments of `polvo logout`.
#[derive(Args, Debug)]
pub struct LogoutArgs {
    #[command(flatten)]
    spec: SpecArgs,
    #[command(flatten)]
    oauth: OAuthArgs,
}

/// Runs `polvo token`: expiry and scopes of the saved tokens.
pub async fn show(args: &TokenArgs) -> Result<(), CliError> {
    let service = args.spec.service()?;
    let scheme = find_scheme(&service, args.oauth.scheme.as_deref())?.scheme;
    let tokens = Tokens::open(&service, scheme, &args.oauth.tenant)?;
    let Some(saved) = tokens.store.load(&tokens.key).await? else {
        return Err(CliError::Auth(format!(
            "no saved tokens for {} (run `polvo login` first; looked in {})",
            tokens.key,
            tokens.dir.display()
        )));
    };
    println!("tokens: {} in {}", tokens.key, tokens.file().display());
    println!("expires: {}", expiry(saved.expires_at));
    let scopes = if saved.scopes.is_empty() { "(none recorded)".to_owned() } else { saved.scopes.join(" ") };
    println!("scopes: {scopes}");
    println!("refresh token: {}", if saved.refresh_token.is_some() { "yes" } else { "no" });
    if args.show {
        println!("access token: {}", saved.access_token.expose_secret());
    }
    Ok(())
}

/// When a token expires, in words and as a UTC time.
fn expiry(at: Option<SystemTime>) -> String {
    let Some(at) = at else { return "not said by the provider".to_owned() };
    let when = polvo_runtime::chrono::DateTime::<polvo_runtime::chrono::Utc>::from(at)
        .to_rfc3339_opts(polvo_runtime::chrono::SecondsFormat::Secs, true);
    match at.duration_since(SystemTime::now()) {
        Ok(left) => format!("{when} (in {})", duration(left.as_secs())),
        Err(past) => format!(
            "{when} (expired {} ago; a client refreshes it if it has a refresh token)",
            duration(past.duration().as_secs())
        ),
    }
}

/// A number of seconds, roughly, in words.
fn duration(seconds: u64) -> String {
    match seconds {
        0..120 => format!("{seconds} s"),
        120..7200 => format!("{} min", seconds / 60),
        7200..172_800 => format!("{} h", seconds / 3600),
        _ => format!("{} days", seconds / 86_400),
    }
}

/// Runs `polvo logout`: revokes at the provider when the spec names a
/// revocation endpoint and a client id is known, and forgets the tokens.
pub async fn logout(args: &LogoutArgs) -> Result<(), CliError> {
    let service = args.spec.service()?;
    let found = find_scheme(&service, args.oauth.scheme.as_deref())?;
    let tokens = Tokens::open(&service, found.scheme, &args.oauth.tenant)?;
    if tokens.store.load(&tokens.key).await?.is_none() {
        println!("no saved tokens for {}: nothing to forget", tokens.key);
        return Ok(());
    }
    let not_revoked = if found.revocable {
        match auth_state(&service, found.scheme, &args.oauth, None, &tokens) {
            Ok(state) => {
                state.revoke(Some(&found.scheme.name), &args.oauth.tenant).await?;
                None
            }
            Err(CliError::Usage(reason)) => Some(reason),
            Err(other) => return Err(other),
        }
    } else {
        Some("the spec names no revocation endpoint".to_owned())
    };
    tokens.store.remove(&tokens.key).await?;
    match not_revoked {
        None => println!("revoked and forgot the tokens of {}", tokens.key),
        Some(reason) => println!("forgot the tokens of {} (not revoked: {reason})", tokens.key),
    }
    Ok(())
}
