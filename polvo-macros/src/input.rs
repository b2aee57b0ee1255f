//! The arguments of `service!` and their expansion.

use polvo_codegen::{CratePath, Decoding, SerdeImpls};
use proc_macro2::TokenStream;
use std::path::PathBuf;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token, bracketed};

/// `"file"` or `["a", "b"]`, then `key = value` options.
pub struct ServiceInput {
    files: Vec<LitStr>,
    name: Option<LitStr>,
    tags: Vec<LitStr>,
    operations: Vec<LitStr>,
    /// `crate = "my_polvo"`: the path generated code reaches polvo through.
    crate_path: Option<CratePath>,
    /// `serde = "both"`: the serde impls every generated type gets.
    serde_impls: Option<SerdeImpls>,
    /// `decode = "lenient"`: required properties that are missing or null decode as `None`.
    decoding: Option<Decoding>,
}

/// `["a", "b"]`.
fn string_list(input: ParseStream<'_>) -> syn::Result<Vec<LitStr>> {
    let content;
    bracketed!(content in input);
    Ok(content.parse_terminated(|p: ParseStream<'_>| p.parse::<LitStr>(), Token![,])?.into_iter().collect())
}

impl Parse for ServiceInput {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let files = if input.peek(syn::token::Bracket) {
            let content;
            bracketed!(content in input);
            let list = content.parse_terminated(|p: ParseStream<'_>| p.parse::<LitStr>(), Token![,])?;
            if list.is_empty() {
                return Err(content.error("expected at least one spec file, like [\"contacts.json\"]"));
            }
            list.into_iter().collect()
        } else if input.peek(LitStr) {
            vec![input.parse::<LitStr>()?]
        } else {
            return Err(
                input.error("expected the spec file as a string literal, like polvo::service!(\"petstore.yaml\")")
            );
        };
        let mut name = None;
        let mut tags = Vec::new();
        let mut operations = Vec::new();
        let mut crate_path = None;
        let mut serde_impls = None;
        let mut decoding = None;
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            // `crate` is a keyword, so the key is read as any identifier.
            let key = Ident::parse_any(input)?;
            input.parse::<Token![=]>()?;
            match key.to_string().as_str() {
                "name" => set_once(&mut name, &key, input.parse()?)?,
                "tags" => tags.extend(string_list(input)?),
                "operations" => operations.extend(string_list(input)?),
                "crate" => set_once(&mut crate_path, &key, parsed_literal::<CratePath>(input)?)?,
                "serde" => set_once(&mut serde_impls, &key, parsed_literal::<SerdeImpls>(input)?)?,
                "decode" => set_once(&mut decoding, &key, parsed_literal::<Decoding>(input)?)?,
                other => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!(
                            "unknown option `{other}`; the options are: name, tags, operations, crate, serde, decode"
                        ),
                    ));
                }
            }
        }
        Ok(ServiceInput { files, name, tags, operations, crate_path, serde_impls, decoding })
    }
}

/// Stores the value of option `key` in `slot`, which must still be empty.
fn set_once<T>(slot: &mut Option<T>, key: &Ident, value: T) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new(key.span(), format!("`{key}` is given twice")));
    }
    *slot = Some(value);
    Ok(())
}

/// A string literal parsed with `T`'s `FromStr`; its error lands on the literal.
fn parsed_literal<T>(input: ParseStream) -> syn::Result<T>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let value: LitStr = input.parse()?;
    value.value().parse::<T>().map_err(|e| syn::Error::new(value.span(), e))
}

impl ServiceInput {
    /// Finds the files, runs the generator, and turns its diagnostics into
    /// errors on the path literal.
    pub fn expand(&self) -> syn::Result<TokenStream> {
        let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default();
        let mut errors: Option<syn::Error> = None;
        let mut push = |e: syn::Error| match &mut errors {
            Some(all) => all.combine(e),
            None => errors = Some(e),
        };
        let mut found = Vec::new();
        for lit in &self.files {
            match polvo_codegen::resolve_spec(&manifest_dir, &lit.value()) {
                Ok(path) => found.push((lit, path)),
                Err(message) => push(syn::Error::new(lit.span(), message)),
            }
        }
        if let Some(e) = errors {
            return Err(e);
        }
        let generator = match &self.name {
            Some(name) => {
                let value = name.value();
                if !polvo_codegen::Generator::is_valid_module_name(&value) {
                    return Err(syn::Error::new(name.span(), "`name` must contain letters or digits"));
                }
                polvo_codegen::Generator::new(value)
            }
            // The spec's `x-polvo` section may name the service.
            None => polvo_codegen::Generator::with_fallback_name(polvo_codegen::file_stem(&self.files[0].value())),
        };
        let mut generator = generator
            .track_files(true)
            .tags(self.tags.iter().map(LitStr::value))
            .operations(self.operations.iter().map(LitStr::value))
            .crate_path(self.crate_path.clone().unwrap_or_default());
        if let Some(impls) = self.serde_impls {
            generator = generator.serde_impls(impls);
        }
        if let Some(decoding) = self.decoding {
            generator = generator.decoding(decoding);
        }
        for (lit, path) in &found {
            generator = generator.spec(path, lit.value());
        }
        let print_notes = notes_requested(std::env::var_os(NOTES_VAR).as_deref());
        // A cached expansion keeps no warnings: with notes asked for, generate afresh.
        let result = match polvo_codegen::ExpansionCache::for_crate(&manifest_dir).filter(|_| !print_notes) {
            Some(cache) => cache.generate(&generator),
            None => generator.generate(),
        };
        match result {
            Ok(output) => {
                if print_notes {
                    print_warnings(&output.warnings);
                }
                let mut tokens = output.tokens;
                tokens.extend(track_notes_var());
                Ok(tokens)
            }
            Err(diags) => {
                let span = self.files[0].span();
                let mut all: Option<syn::Error> = None;
                for d in diags.errors() {
                    let span = self.files.iter().find(|l| l.value() == d.file).map_or(span, |l| l.span());
                    let e = syn::Error::new(span, d.to_string());
                    match &mut all {
                        Some(all) => all.combine(e),
                        None => all = Some(e),
                    }
                }
                Err(all.unwrap_or_else(|| syn::Error::new(span, "the spec could not be read")))
            }
        }
    }
}

/// The environment variable that makes the macro print the spec's notes.
const NOTES_VAR: &str = "POLVO_NOTES";

/// Whether `POLVO_NOTES` asks for the notes: set, and neither empty nor `0`.
fn notes_requested(value: Option<&std::ffi::OsStr>) -> bool {
    value.is_some_and(|v| !v.is_empty() && v != "0")
}

/// Prints each warning (a degraded construct, a questionable URL) with its
/// file and JSON pointer to the compiler's stderr, which cargo shows.
fn print_warnings(warnings: &[polvo_codegen::Diagnostic]) {
    for warning in warnings {
        eprintln!("polvo note: {warning}");
    }
}

/// An item that reads `POLVO_NOTES` through `option_env!`, so that cargo
/// records the variable and setting or clearing it expands the services
/// again (a proc macro cannot tell cargo what it reads on stable Rust).
fn track_notes_var() -> TokenStream {
    quote::quote! {
        const _: ::core::option::Option<&str> = ::core::option_env!(#NOTES_VAR);
    }
}

#[cfg(test)]
mod tests {
    use super::ServiceInput;
    use polvo_codegen::{Decoding, SerdeImpls};

    fn parse_error(input: &str) -> String {
        match syn::parse_str::<ServiceInput>(input) {
            Ok(_) => panic!("`{input}` parsed"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn notes_are_printed_when_the_variable_is_set_and_not_zero() {
        use std::ffi::OsStr;
        assert!(super::notes_requested(Some(OsStr::new("1"))));
        assert!(super::notes_requested(Some(OsStr::new("yes"))));
        assert!(!super::notes_requested(Some(OsStr::new("0"))));
        assert!(!super::notes_requested(Some(OsStr::new(""))));
        assert!(!super::notes_requested(None));
    }

    #[test]
    fn the_crate_option_takes_a_path() {
        let input: ServiceInput = syn::parse_str(r#""petstore.yaml", crate = "::my_polvo""#).expect("parses");
        assert_eq!(input.crate_path.map(|p| p.to_string()).as_deref(), Some("::my_polvo"));
        let input: ServiceInput = syn::parse_str(r#""petstore.yaml""#).expect("parses");
        assert!(input.crate_path.is_none());
    }

    #[test]
    fn a_bad_or_repeated_crate_option_is_an_error() {
        let message = parse_error(r#""petstore.yaml", crate = "my-polvo""#);
        assert!(message.starts_with(r#"`crate = "my-polvo"` is not a path to the polvo crate"#), "{message}");
        let message = parse_error(r#""petstore.yaml", crate = "a", crate = "b""#);
        assert_eq!(message, "`crate` is given twice");
        let message = parse_error(r#""petstore.yaml", crate = my_polvo"#);
        assert!(message.contains("expected string literal"), "{message}");
    }

    #[test]
    fn the_serde_option_chooses_the_impls() {
        let input: ServiceInput = syn::parse_str(r#""petstore.yaml", serde = "both""#).expect("parses");
        assert_eq!(input.serde_impls, Some(SerdeImpls::Both));
        let input: ServiceInput = syn::parse_str(r#""petstore.yaml", serde = "needed""#).expect("parses");
        assert_eq!(input.serde_impls, Some(SerdeImpls::Needed));
        let input: ServiceInput = syn::parse_str(r#""petstore.yaml""#).expect("parses");
        assert_eq!(input.serde_impls, None);
    }

    #[test]
    fn the_decode_option_chooses_lenient_or_strict() {
        let input: ServiceInput = syn::parse_str(r#""petstore.yaml", decode = "lenient""#).expect("parses");
        assert_eq!(input.decoding, Some(Decoding::Lenient));
        let input: ServiceInput = syn::parse_str(r#""petstore.yaml", decode = "strict""#).expect("parses");
        assert_eq!(input.decoding, Some(Decoding::Strict));
        let message = parse_error(r#""petstore.yaml", decode = "loose""#);
        assert!(message.starts_with(r#"`decode = "loose"` is not a way of decoding"#), "{message}");
        assert_eq!(parse_error(r#""petstore.yaml", decode = "lenient", decode = "strict""#), "`decode` is given twice");
    }

    #[test]
    fn a_bad_or_repeated_serde_option_is_an_error() {
        let message = parse_error(r#""petstore.yaml", serde = "all""#);
        assert!(message.starts_with(r#"`serde = "all"` is not a choice of serde impls: expected "both""#), "{message}");
        let message = parse_error(r#""petstore.yaml", serde = "both", serde = "needed""#);
        assert_eq!(message, "`serde` is given twice");
        let message = parse_error(r#""petstore.yaml", serde = both"#);
        assert!(message.contains("expected string literal"), "{message}");
    }
}
