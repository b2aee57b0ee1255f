//! `polvo generate`: the macro's code, formatted, to a file or stdout.

use clap::Args;
use std::path::PathBuf;

use crate::error::CliError;
use crate::spec::{FilterArgs, SpecArgs};

/// Writes the client the `service!` macro would generate, formatted with
/// prettyplease, for teams that check generated code in. The macro's
/// `include_bytes!` lines (its rebuild tracking) are left out.
#[derive(Args, Debug)]
pub struct GenerateArgs {
    #[command(flatten)]
    spec: SpecArgs,
    #[command(flatten)]
    filter: FilterArgs,
    /// The file to write (default: standard output). Left untouched when
    /// it already holds this code.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Runs `polvo generate`.
pub fn run(args: &GenerateArgs) -> Result<(), CliError> {
    let builder = args.filter.apply(args.spec.builder())?;
    match &args.output {
        None => {
            let generated = builder.generate()?;
            print!("{}", generated.source);
            Ok(())
        }
        Some(path) => {
            let (dir, file) = split(path)?;
            builder.out_dir(dir).file_name(file).write().map(drop).map_err(|e| match e {
                polvo_codegen::BuildError::Write { path, source } => CliError::Output { path, source },
                other => other.into(),
            })
        }
    }
}

/// The directory and file name of `path`.
fn split(path: &std::path::Path) -> Result<(PathBuf, String), CliError> {
    let file = path
        .file_name()
        .and_then(|name| name.to_str())
        .ok_or_else(|| CliError::Usage(format!("-o {}: not a file name", path.display())))?;
    let dir = path.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
    Ok((dir, file.to_owned()))
}
