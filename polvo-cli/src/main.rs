//! `polvo`: see what a spec gives before writing code, write its client to
//! a file, and log in to its OAuth 2.0 provider once from a terminal.
//!
//! Each command reads the spec when it runs, through the same generator the
//! `service!` macro uses. Exit codes: 0 success, 1 the spec has errors,
//! 2 bad arguments, 3 a login, token or network failure, 4 the output file
//! cannot be written.

/// What the exit codes mean, as a literal for `concat!` in help texts.
macro_rules! exit_codes {
    () => {
        "Exit codes:
  0  success
  1  the spec has errors (each printed as file#/pointer: message)
  2  bad arguments (unknown option, missing spec, unknown scheme, no client id)
  3  a login, token or network failure
  4  the output file cannot be written"
    };
}

mod callback;
mod cli;
mod error;
mod generate;
mod inspect;
mod login;
mod oauth;
mod spec;
mod tokens;

use clap::Parser;
use std::process::ExitCode;

use cli::{Cli, Command};
use error::CliError;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            for line in error.lines() {
                eprintln!("error: {line}");
            }
            ExitCode::from(error.exit_code())
        }
    }
}

/// Runs one command.
fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Inspect(args) => inspect::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Login(args) => with_runtime(login::run(&args)),
        Command::Token(args) => with_runtime(tokens::show(&args)),
        Command::Logout(args) => with_runtime(tokens::logout(&args)),
    }
}

/// Runs `work` on a tokio runtime (the commands that talk to a provider).
fn with_runtime(work: impl std::future::Future<Output = Result<(), CliError>>) -> Result<(), CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::Auth(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(work)
}
