//! The `service!` macro. Parsing the call and finding the files happen
//! here; everything else is `polvo-codegen`, so the CLI and build scripts
//! produce exactly the same code.

mod input;

use proc_macro::TokenStream;

/// Generates a typed client module from an OpenAPI spec.
///
/// ```ignore
/// polvo::service!("petstore.yaml");
/// polvo::service!("hubspot/contacts.json", name = "hubspot");
/// // polvo renamed in Cargo.toml: `my_polvo = { package = "polvo", version = "…" }`
/// my_polvo::service!("petstore.yaml", crate = "my_polvo");
/// ```
///
/// Paths are looked up in `$CARGO_MANIFEST_DIR/specs/`, then in
/// `$CARGO_MANIFEST_DIR`. See the `polvo` crate for the generated API.
///
/// Options: `name = "…"` (the module), `tags = [..]` and `operations = [..]`
/// (generate only these; an operation by `operationId`, `"GET /pets/{id}"` or method name), `crate = "…"` (the path generated code reaches
/// polvo through, `::polvo` by default, for a renamed dependency),
/// `serde = "both"` (every generated type gets `Serialize` and `Deserialize`,
/// not only the impls its use in requests or responses needs; the default is
/// `serde = "needed"`), `decode = "lenient"` (every property an `Option`, so
/// a reply that leaves out a `required` property or sends `null` decodes; the
/// default is `decode = "strict"`).
///
/// With the environment variable `POLVO_NOTES=1` the macro prints the spec's
/// notes (degraded constructs, questionable URLs), each with its file and
/// JSON pointer, to the build output.
#[proc_macro]
pub fn service(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as input::ServiceInput);
    match input.expand() {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}
