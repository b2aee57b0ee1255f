//! Emitting the `webhooks` module: one payload type per selected webhook
//! (an alias of its type in `types`), and an enum over them that decodes a
//! body by the webhook's name.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{code, doc_attrs, paragraphs};
use super::paths::{Paths, ident};
use crate::model::{TypeDef, TypeRef, Webhook, Webhooks};

/// The whole `pub mod webhooks { … }` (never empty: the model makes none
/// without a webhook).
pub fn webhooks_module(webhooks: &Webhooks, types: &[TypeDef], polvo: &TokenStream) -> TokenStream {
    let paths = Paths::outside(types, polvo);
    let aliases = webhooks.hooks.iter().map(|hook| payload_alias(hook, &paths));
    let event = event_enum(webhooks, polvo);
    let example = &webhooks.hooks[0];
    let module_docs = doc_attrs(&[
        Some("The payloads of the webhooks the API sends to your server: one type per webhook, named after it."),
        Some(&format!(
            "Verify a request's signature first (`polvo::webhooks` has Stripe's, HubSpot's and GitHub's), then \
             decode the raw body into the webhook's type with `polvo::webhooks::decode::<{}>(&body)`, or, by the \
             webhook's name, with `{}::from_name({:?}, &body)`.",
            example.type_name, webhooks.event_enum, example.name
        )),
    ]);
    let imports = if webhooks.hooks.iter().any(|hook| names_a_type(&hook.payload)) {
        quote!(
            use super::types;
        )
    } else {
        TokenStream::new()
    };
    let module = ident(&webhooks.module);
    quote! {
        #module_docs
        pub mod #module {
            #imports

            #(#aliases)*

            #event
        }
    }
}

/// `pub type NewBooking = types::Booking;`, documented with the webhook's
/// summary and description.
fn payload_alias(hook: &Webhook, paths: &Paths<'_>) -> TokenStream {
    let line = format!("The payload of the {} webhook.", code(&hook.name));
    let docs = doc_attrs(&paragraphs(&hook.docs, &[Some(&line)]));
    let name = ident(&hook.type_name);
    let ty = paths.ty(&hook.payload);
    quote! {
        #docs
        pub type #name = #ty;
    }
}

/// The enum over every webhook's payload, with `from_name` and `name`.
fn event_enum(webhooks: &Webhooks, polvo: &TokenStream) -> TokenStream {
    let name = ident(&webhooks.event_enum);
    let variants = webhooks.hooks.iter().map(|hook| {
        let doc = format!(" The {} webhook.", code(&hook.name));
        let variant = ident(&hook.type_name);
        quote! {
            #[doc = #doc]
            #variant(#variant),
        }
    });
    let names = webhooks.hooks.iter().map(|hook| hook.name.as_str());
    let decoders = webhooks.hooks.iter().map(|hook| {
        let (wire, variant) = (hook.name.as_str(), ident(&hook.type_name));
        quote!(#wire => #polvo::webhooks::decode(body).map(Self::#variant),)
    });
    let name_arms = webhooks.hooks.iter().map(|hook| {
        let (wire, variant) = (hook.name.as_str(), ident(&hook.type_name));
        quote!(Self::#variant(_) => #wire,)
    });
    quote! {
        /// A payload of any of the webhooks, by webhook.
        #[derive(Clone, Debug, PartialEq)]
        pub enum #name {
            #(#variants)*
        }

        impl #name {
            /// The webhooks' names, as the spec writes them.
            pub const NAMES: &'static [&'static str] = &[#(#names),*];

            /// Decodes `body`, the raw body of the webhook the spec names
            /// `name` (one of [`Self::NAMES`]); verify its signature first.
            pub fn from_name(name: &str, body: &[u8]) -> Result<Self, #polvo::webhooks::PayloadError> {
                let decoded = match name {
                    #(#decoders)*
                    _ => return Err(#polvo::webhooks::PayloadError::unknown_webhook(name, Self::NAMES)),
                };
                decoded.map_err(|error| error.in_webhook(name))
            }

            /// The webhook's name, as the spec writes it.
            pub fn name(&self) -> &'static str {
                match self {
                    #(#name_arms)*
                }
            }
        }
    }
}

/// Whether a type is written with a path into `types`.
fn names_a_type(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Named(_) => true,
        TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Option(inner) | TypeRef::Box(inner) => names_a_type(inner),
        _ => false,
    }
}
