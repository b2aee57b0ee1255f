//! Expands one spec the way `polvo::service!` does and reports how long it
//! took and how much code came out. Used by `bench/run.sh`.
//!
//! `cargo run --release -p polvo-codegen --example expand -- SPEC [MODULE] [--lines|--print] [--tag T]... [--serde both] [--cache DIR]`
//!
//! Without a flag it only expands, so the process's time and peak memory are
//! those of the expansion; `--lines` also formats the code to count its lines.
//! `--tag` keeps only operations with that tag; `--cache` goes through the
//! expansion cache in DIR, as the macro does (run it twice to time a warm expansion);
//! `--serde both` gives every type both serde impls, as `serde = "both"` does.

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(spec) = args.first() else {
        eprintln!("usage: expand SPEC [MODULE] [--print]");
        std::process::exit(2);
    };
    let module = args.get(1).filter(|a| !a.starts_with("--")).cloned().unwrap_or_else(|| "api".to_owned());
    let print = args.iter().any(|a| a == "--print");
    let lines = print || args.iter().any(|a| a == "--lines");
    let name = spec.rsplit('/').next().unwrap_or(spec).to_owned();
    let value_of =
        |flag: &str| -> Vec<String> { args.windows(2).filter(|w| w[0] == flag).map(|w| w[1].clone()).collect() };
    let mut generator = polvo_codegen::Generator::new(module)
        .spec(spec, name)
        .tags(value_of("--tag"))
        .operations(value_of("--operation"));
    if let Some(value) = value_of("--serde").first() {
        match value.parse() {
            Ok(impls) => generator = generator.serde_impls(impls),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        }
    }
    let cache = value_of("--cache").first().map(polvo_codegen::ExpansionCache::new);

    let start = Instant::now();
    let result = match &cache {
        Some(cache) => cache.generate(&generator),
        None => generator.generate(),
    };
    let output = match result {
        Ok(output) => output,
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            std::process::exit(1);
        }
    };
    let tokens = output.tokens.to_string();
    let elapsed = start.elapsed();
    if !lines {
        eprintln!(
            "expanded {spec} in {:.3} s: {} bytes of tokens, {} warnings",
            elapsed.as_secs_f64(),
            tokens.len(),
            output.warnings.len()
        );
        return;
    }
    let file: syn::File = match syn::parse_str(&tokens) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("the generated code does not parse: {e}");
            std::process::exit(1);
        }
    };
    let source = prettyplease::unparse(&file);
    if print {
        println!("{source}");
    }
    eprintln!("expanded {spec} in {:.3} s: {} lines formatted", elapsed.as_secs_f64(), source.lines().count());
}
