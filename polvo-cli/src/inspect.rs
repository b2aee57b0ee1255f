//! `polvo inspect`: what a spec gives, before writing any code.

use clap::Args;
use polvo_codegen::model::auth::{JwtUsage, KeyLocation, Scheme, SchemeKind};
use polvo_codegen::model::section::{ClientAuthConfig, Flow};
use polvo_codegen::model::{Operation, Service};
use std::fmt::Write as _;

use crate::error::CliError;
use crate::spec::SpecArgs;

/// Arguments of `polvo inspect`.
#[derive(Args, Debug)]
pub struct InspectArgs {
    #[command(flatten)]
    spec: SpecArgs,
}

/// Runs `polvo inspect`: prints the report on stdout.
pub fn run(args: &InspectArgs) -> Result<(), CliError> {
    let inspection = args.spec.model()?;
    print!("{}", report(&inspection));
    Ok(())
}

/// The whole report.
pub fn report(inspection: &polvo_codegen::Inspection) -> String {
    let service = &inspection.service;
    let mut out = String::new();
    header(&mut out, service);
    auth(&mut out, service);
    operations(&mut out, service);
    webhooks(&mut out, service);
    notes(&mut out, inspection);
    out
}

/// The service's name, title and servers.
fn header(out: &mut String, service: &Service) {
    let _ = writeln!(out, "service: {}  (polvo::service! makes `pub mod {}`)", service.module, service.module);
    if let Some(title) = &service.title {
        let version = service.version.as_deref().map(|v| format!(" (version {v})")).unwrap_or_default();
        let _ = writeln!(out, "title: {title}{version}");
    }
    match service.servers.first() {
        Some(server) => {
            let _ = writeln!(out, "base URL: {}", server.url);
        }
        None => out.push_str("base URL: none in the spec (set one with `.base_url(..)`)\n"),
    }
}

/// Every auth scheme, with the environment variables it reads.
fn auth(out: &mut String, service: &Service) {
    out.push_str("\nauth schemes:\n");
    if service.auth.schemes.is_empty() {
        out.push_str("  none\n");
    }
    for scheme in &service.auth.schemes {
        let _ =
            writeln!(out, "  {} ({}): `{}::auth::{}(..)`", scheme.name, kind(scheme), service.module, scheme.fn_name);
        let vars = env_vars(scheme);
        if !vars.is_empty() {
            let _ = writeln!(out, "    env: {}", vars.join(", "));
        }
        for line in details(scheme) {
            let _ = writeln!(out, "    {line}");
        }
    }
}

/// What kind of scheme it is, in words.
fn kind(scheme: &Scheme) -> String {
    match &scheme.kind {
        SchemeKind::ApiKey { location, name, .. } => {
            let place = match location {
                KeyLocation::Header => "header",
                KeyLocation::Query => "query parameter",
                KeyLocation::Cookie => "cookie",
            };
            format!("API key in {place} `{name}`")
        }
        SchemeKind::Basic { .. } => "HTTP basic".to_owned(),
        SchemeKind::Bearer { .. } => "bearer token".to_owned(),
        SchemeKind::OAuth2 { flows, .. } => {
            let flows: Vec<&str> = flows.iter().map(flow_name).collect();
            format!("OAuth 2.0: {}", if flows.is_empty() { "no flow".to_owned() } else { flows.join(", ") })
        }
        SchemeKind::Jwt { algorithm, usage, .. } => match usage {
            JwtUsage::Direct { .. } => format!("a {algorithm} JWT the client signs"),
            JwtUsage::JwtBearerGrant { .. } => format!("a {algorithm} JWT exchanged for an access token"),
            JwtUsage::BearerPost { .. } => format!("a {algorithm} JWT exchanged for installation tokens"),
        },
    }
}

/// A flow's name as users know it.
pub fn flow_name(flow: &Flow) -> &'static str {
    match flow {
        Flow::AuthorizationCode => "authorization code (polvo login)",
        Flow::ClientCredentials => "client credentials",
        Flow::DeviceCode => "device code (polvo login --device)",
    }
}

/// The environment variables `Client::from_env()` reads for `scheme`.
fn env_vars(scheme: &Scheme) -> Vec<String> {
    let vars: Vec<&String> = match &scheme.kind {
        SchemeKind::ApiKey { env, .. } | SchemeKind::Bearer { env } => vec![env],
        SchemeKind::Basic { username_env, password_env } => vec![username_env, password_env],
        SchemeKind::OAuth2 {
            client_id_env,
            client_secret_env,
            refresh_token_env,
            private_key_env,
            client_auth,
            ..
        } => {
            let mut vars = vec![client_id_env, client_secret_env, refresh_token_env];
            if *client_auth == ClientAuthConfig::PrivateKeyJwt {
                vars.push(private_key_env);
            }
            vars
        }
        SchemeKind::Jwt { key_env, key_file_env, key_id_env, .. } => vec![key_env, key_file_env, key_id_env],
    };
    vars.into_iter().filter(|v| !v.is_empty()).cloned().collect()
}

/// Endpoints and scopes of OAuth 2.0 and JWT schemes.
fn details(scheme: &Scheme) -> Vec<String> {
    match &scheme.kind {
        SchemeKind::OAuth2 {
            authorization_url, token_url, revocation_url, device_authorization_url, scopes, ..
        } => {
            let urls = [
                ("authorization", authorization_url),
                ("token", token_url),
                ("revocation", revocation_url),
                ("device authorization", device_authorization_url),
            ];
            let mut lines: Vec<String> =
                urls.iter().filter_map(|(what, url)| url.as_ref().map(|url| format!("{what}: {url}"))).collect();
            if !scopes.is_empty() {
                lines.push(format!("scopes: {}", scopes.join(" ")));
            }
            lines
        }
        SchemeKind::Jwt { usage: JwtUsage::JwtBearerGrant { token_url, .. }, .. } => {
            vec![format!("token: {token_url}")]
        }
        SchemeKind::Jwt { usage: JwtUsage::BearerPost { url }, .. } => vec![format!("exchange: {url}")],
        _ => Vec::new(),
    }
}

/// The Rust call that starts `op`: `client.contacts().get_page()`.
pub fn call(service: &Service, op: &Operation) -> String {
    let group = service.groups.iter().find(|g| g.operations.iter().any(|o| std::ptr::eq(o, op)));
    let mut args: Vec<&str> = op.params.iter().filter(|p| p.required).map(|p| p.rust_name.as_str()).collect();
    if op.body.as_ref().is_some_and(|b| b.required) {
        args.push("body");
    }
    let accessor = group.map(|g| format!("{}().", g.accessor)).unwrap_or_default();
    format!("client.{accessor}{}({})", op.method_name, args.join(", "))
}

/// Every operation, grouped as the client groups them.
fn operations(out: &mut String, service: &Service) {
    let all: Vec<&Operation> =
        service.groups.iter().flat_map(|g| g.operations.iter()).chain(service.ungrouped.iter()).collect();
    let _ = writeln!(out, "\noperations ({}):", all.len());
    let calls: Vec<String> = all.iter().map(|op| call(service, op)).collect();
    // Aligned, up to a width past which long calls push their path over.
    let width = calls.iter().map(String::len).filter(|len| *len <= 60).max().unwrap_or(0);
    for (op, call) in all.iter().zip(&calls) {
        let deprecated = if op.deprecated { "  (deprecated)" } else { "" };
        let _ = writeln!(out, "  {call:width$}  {} {}{deprecated}", op.http_method, op.path);
    }
}

/// The webhooks the section selected, with their payload types.
fn webhooks(out: &mut String, service: &Service) {
    let Some(webhooks) = &service.webhooks else { return };
    let module = format!("{}::{}", service.module, webhooks.module);
    let _ = writeln!(
        out,
        "
webhooks ({}), decoded with `polvo::webhooks::decode` or `{module}::{}::from_name`:",
        webhooks.hooks.len(),
        webhooks.event_enum
    );
    let width = webhooks.hooks.iter().map(|hook| module.len() + 2 + hook.type_name.len()).max().unwrap_or(0);
    for hook in &webhooks.hooks {
        let path = format!("{module}::{}", hook.type_name);
        let _ = writeln!(out, "  {path:width$}  {}", hook.name);
    }
}

/// What polvo read differently from the spec, with where.
fn notes(out: &mut String, inspection: &polvo_codegen::Inspection) {
    let service = &inspection.service;
    let mut lines: Vec<String> = inspection.warnings.iter().map(|w| format!("warning: {w}")).collect();
    lines.extend(service.notes.iter().map(|note| format!("note: {note}")));
    for op in service.groups.iter().flat_map(|g| g.operations.iter()).chain(service.ungrouped.iter()) {
        lines.extend(op.notes.iter().map(|note| format!("note: {}: {note}", call(service, op))));
    }
    if lines.is_empty() {
        out.push_str("\nnothing degraded: every construct is modelled exactly\n");
        return;
    }
    let _ = writeln!(out, "\nwhat degrades ({}):", lines.len());
    for line in lines {
        let _ = writeln!(out, "  {line}");
    }
}
