//! Emitting the `Client`, its group accessors and the group modules.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{code, doc_attrs};
use super::operations::{Owner, builder, starter};
use super::paths::{Paths, ident, mentions_named};
use crate::model::{Group, Operation, Outcome, Service};

/// Whether an operation's signature mentions a named type.
fn uses_types(op: &Operation) -> bool {
    op.params.iter().any(|p| mentions_named(&p.ty))
        || op.body.as_ref().is_some_and(|b| mentions_named(&b.ty))
        || [&op.responses.success_type, &op.responses.error_type].iter().any(|o| match o {
            Outcome::Nothing => false,
            Outcome::Single(t) | Outcome::Optional(t) => mentions_named(t),
            Outcome::Enum { variants, .. } => variants.iter().any(|(_, t)| t.as_ref().is_some_and(mentions_named)),
        })
}

/// The `Client` struct and its `impl`.
pub fn client(service: &Service, polvo: &TokenStream) -> TokenStream {
    let paths = Paths::outside(&service.types, polvo);
    let default_url = service
        .servers
        .first()
        .map(|s| s.url.as_str())
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let title = service.title.as_deref();
    let version = service.version.as_ref().map(|v| format!("API version {}.", code(v)));
    let server_note = match (default_url, service.servers.first()) {
        (Some(url), _) => format!("Requests go to {} unless the builder sets another base URL.", code(url)),
        (None, Some(server)) => format!(
            "The spec's server {} is not an absolute URL, so give the full base URL with [`Client::builder`].",
            code(&server.url)
        ),
        (None, None) => "The spec names no server, so give the base URL with [`Client::builder`].".to_owned(),
    };
    let docs = doc_attrs(&[title, service.description.as_deref(), version.as_deref(), Some(&server_note)]);

    let (constant, new_fn, default_arg) = match default_url {
        Some(url) => {
            let doc = format!(" The base URL the spec names: {}.", code(url));
            (
                quote! {
                    #[doc = #doc]
                    pub const DEFAULT_BASE_URL: &'static str = #url;
                },
                quote! {
                    /// A client for [`Self::DEFAULT_BASE_URL`] with default settings.
                    pub fn new() -> Result<Self, #polvo::BuildError> {
                        Self::builder().build()
                    }
                },
                quote!(Some(Self::DEFAULT_BASE_URL)),
            )
        }
        None => (TokenStream::new(), TokenStream::new(), quote!(None)),
    };

    let accessors = service.groups.iter().map(|g| {
        let accessor = ident(&g.accessor);
        let module = ident(&g.module);
        let struct_name = ident(&g.struct_name);
        let docs = group_docs(g);
        quote! {
            #docs
            pub fn #accessor(&self) -> #module::#struct_name<'_> {
                #module::#struct_name { client: self }
            }
        }
    });
    let starters = service.ungrouped.iter().map(|op| starter(op, Owner::Client, &paths));
    let auth_methods = super::auth::client_methods(service, polvo);
    let service_impl = super::auth::service_impl(service, polvo);
    let auth_module = super::auth::auth_module(service, polvo);

    quote! {
        #docs
        #[derive(Clone, Debug)]
        pub struct Client {
            core: #polvo::__private::ClientCore,
        }

        impl Client {
            #constant

            #new_fn

            /// A builder to set the base URL, timeouts, default headers or the HTTP client.
            pub fn builder() -> #polvo::ClientBuilder<Self> {
                #polvo::__private::client_builder(#default_arg)
            }

            /// The base URL requests go to.
            pub fn base_url(&self) -> &str {
                self.core.base_url()
            }

            #auth_methods

            #(#accessors)*

            #(#starters)*
        }

        #service_impl

        #auth_module
    }
}

fn group_docs(group: &Group) -> TokenStream {
    let tag = format!("Operations tagged {}.", code(&group.tag));
    doc_attrs(&[Some(&tag), group.description.as_deref()])
}

/// A group's module: its struct, starters and builders.
pub fn group_module(group: &Group, service: &Service, polvo: &TokenStream) -> TokenStream {
    let paths = Paths::outside(&service.types, polvo);
    let module = ident(&group.module);
    let struct_name = ident(&group.struct_name);
    let docs = group_docs(group);
    let starters = group.operations.iter().map(|op| starter(op, Owner::Group, &paths));
    let starter_path = group.struct_name.clone();
    let builders =
        group.operations.iter().map(|op| builder(op, &quote!(super::Client), &starter_path, &paths, &service.types));
    let imports = if group.operations.iter().any(uses_types) {
        quote!(
            use super::types;
        )
    } else {
        TokenStream::new()
    };
    let struct_doc = format!(
        " Operations tagged {}, from [`Client::{}`](super::Client::{}).",
        code(&group.tag),
        group.accessor.trim_start_matches("r#"),
        group.accessor.trim_start_matches("r#")
    );
    quote! {
        #docs
        pub mod #module {
            #imports

            #[doc = #struct_doc]
            #[derive(Clone, Copy, Debug)]
            pub struct #struct_name<'a> {
                pub(super) client: &'a super::Client,
            }

            impl #struct_name<'_> {
                #(#starters)*
            }

            #(#builders)*
        }
    }
}

/// Builders of operations without a tag, in the service module itself.
pub fn ungrouped_builders(service: &Service, polvo: &TokenStream) -> TokenStream {
    let paths = Paths::outside(&service.types, polvo);
    let builders = service.ungrouped.iter().map(|op| builder(op, &quote!(Client), "Client", &paths, &service.types));
    quote!(#(#builders)*)
}
