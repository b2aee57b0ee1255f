//! Helpers shared by the integration tests.

#![allow(dead_code)]

pub mod links;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Generates the module for a spec and formats it as Rust source.
pub fn generate_source(spec: &Path, module: &str) -> Result<String, polvo_codegen::Diagnostics> {
    let name = spec.file_name().and_then(|n| n.to_str()).unwrap_or("spec").to_owned();
    let output = polvo_codegen::Generator::new(module).spec(spec, name).generate()?;
    let file: syn::File = syn::parse2(output.tokens).expect("generated code parses as Rust");
    Ok(prettyplease::unparse(&file))
}

/// A scratch crate under `target/` that depends on `polvo`, for checking
/// generated code as a user's crate would compile it.
pub struct ScratchCrate {
    pub dir: PathBuf,
}

impl ScratchCrate {
    /// Creates (or reuses) `target/polvo-scratch/<name>` with the given `lib.rs`.
    pub fn new(name: &str, lib_rs: &str) -> ScratchCrate {
        ScratchCrate::with_polvo_as(name, lib_rs, "polvo")
    }

    /// A scratch crate that depends on polvo under the name `dependency`
    /// (`my_polvo = { package = "polvo", .. }`).
    pub fn with_polvo_as(name: &str, lib_rs: &str, dependency: &str) -> ScratchCrate {
        let dir = root().join("target").join("polvo-scratch").join(name);
        std::fs::create_dir_all(dir.join("src")).expect("create scratch crate");
        let package = if dependency == "polvo" { String::new() } else { "package = \"polvo\", ".to_owned() };
        let manifest = format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\n{dependency} = {{ {package}path = {} }}\n\n[workspace]\n",
            toml_string(&root().join("polvo").to_string_lossy())
        );
        write_if_changed(&dir.join("Cargo.toml"), &manifest);
        write_if_changed(&dir.join("src/lib.rs"), lib_rs);
        ScratchCrate { dir }
    }

    /// Shows a directory as `specs/` of the scratch crate (a link, or a
    /// copy where links cannot be made).
    pub fn link_specs(&self, target: &Path) {
        links::link_dir(target, &self.dir.join("specs"));
    }

    /// Runs `cargo check`, returning its success and stderr.
    pub fn check(&self) -> (bool, String) {
        self.check_with(&[])
    }

    /// Runs `cargo check` with extra arguments (`--message-format=short`
    /// puts each diagnostic's file on its own line).
    pub fn check_with(&self, args: &[&str]) -> (bool, String) {
        self.check_with_env(args, &[])
    }

    /// Runs `cargo check` with extra arguments and environment variables.
    pub fn check_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
        let output = Command::new(env!("CARGO"))
            .arg("check")
            .arg("--quiet")
            .arg("--color=never")
            .args(args)
            .current_dir(&self.dir)
            .envs(env.iter().copied())
            .env("CARGO_TARGET_DIR", root().join("target").join("polvo-scratch").join("target"))
            .output()
            .expect("run cargo check");
        (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// `text` as a TOML basic string: a Windows path's backslashes are
/// escapes there.
fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn write_if_changed(path: &Path, content: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(content) {
        std::fs::write(path, content).expect("write scratch file");
    }
}
