//! The command line, as clap reads it.

use clap::{Parser, Subcommand};

use crate::error::EXIT_CODES;

/// polvo: typed Rust API clients from OpenAPI specs.
#[derive(Parser, Debug)]
#[command(name = "polvo", version, after_help = EXIT_CODES, after_long_help = EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Show what a spec gives: the service, its auth schemes and the
    /// environment variables each reads, every operation as the Rust call
    /// you write, and what polvo degrades.
    #[command(after_help = EXIT_CODES)]
    Inspect(crate::inspect::InspectArgs),
    /// Write the client the `service!` macro generates, formatted.
    #[command(after_help = EXIT_CODES)]
    Generate(crate::generate::GenerateArgs),
    /// Log in to a scheme's OAuth 2.0 provider (authorization code with
    /// PKCE through a loopback redirect, or the device flow) and save the
    /// tokens where generated clients find them.
    #[command(after_help = crate::login::LOGIN_HELP)]
    Login(crate::login::LoginArgs),
    /// Show the saved tokens' expiry and scopes (the token itself only
    /// with --show).
    #[command(after_help = EXIT_CODES)]
    Token(crate::tokens::TokenArgs),
    /// Revoke the saved tokens at the provider (when the spec names a
    /// revocation endpoint) and forget them.
    #[command(after_help = EXIT_CODES)]
    Logout(crate::tokens::LogoutArgs),
}
