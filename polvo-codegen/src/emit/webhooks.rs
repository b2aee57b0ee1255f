//! Emitting the `webhooks` module: one payload type per selected webhook
//! (an alias of its type in `types`), and an enum over them that decodes a
//! body by the webhook's name, or by its operation's `operationId` when the
//! spec gives them.

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
    let by_operation = webhooks.hooks.iter().find_map(|hook| hook.operation_id.as_deref()).map(|id| {
        format!(
            "The webhooks' operations have ids: `{}::from_operation_id({id:?}, &body)` decodes by them, and \
             `polvo::webhooks::github::decode_event::<{}>(&headers, &body)` decodes a GitHub delivery by its \
             `X-GitHub-Event` header and `action`.",
            webhooks.event_enum, webhooks.event_enum
        )
    });
    let module_docs = doc_attrs(&[
        Some("The payloads of the webhooks the API sends to your server: one type per webhook, named after it."),
        Some(&format!(
            "Verify a request's signature first (`polvo::webhooks` has Stripe's, HubSpot's and GitHub's), then \
             decode the raw body into the webhook's type with `polvo::webhooks::decode::<{}>(&body)`, or, by the \
             webhook's name, with `{}::from_name({:?}, &body)`.",
            example.type_name, webhooks.event_enum, example.name
        )),
        by_operation.as_deref(),
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

/// The enum over every webhook's payload, with `from_name` and `name`, and
/// the operation-id items when a webhook has an `operationId`.
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
    let by_operation = OperationIds::of(webhooks, &name, polvo);
    let (operation_items, operation_impl) = match &by_operation {
        Some(ids) => (ids.inherent_items(), ids.trait_impl()),
        None => (TokenStream::new(), TokenStream::new()),
    };
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

            #operation_items
        }

        #operation_impl
    }
}

/// The items that decode a webhook by its operation's `operationId`: what
/// `polvo::webhooks::github::decode_event` needs to find a delivery's type.
struct OperationIds<'a> {
    /// The webhooks that have an operation id, with it.
    hooks: Vec<(&'a Webhook, &'a str)>,
    /// Every webhook, for `operation_id(&self)`.
    all: &'a [Webhook],
    /// The enum's name.
    enum_name: &'a proc_macro2::Ident,
    /// The path of the runtime crate.
    polvo: &'a TokenStream,
}

impl<'a> OperationIds<'a> {
    /// The operation-id items of `webhooks`; `None` when no webhook has an
    /// `operationId` (a spec without them gets no such items).
    fn of(webhooks: &'a Webhooks, enum_name: &'a proc_macro2::Ident, polvo: &'a TokenStream) -> Option<Self> {
        let hooks: Vec<(&Webhook, &str)> =
            webhooks.hooks.iter().filter_map(|hook| Some((hook, hook.operation_id.as_deref()?))).collect();
        (!hooks.is_empty()).then_some(OperationIds { hooks, all: &webhooks.hooks, enum_name, polvo })
    }

    /// `OPERATION_IDS`, `from_operation_id` and `operation_id`, inside the
    /// enum's `impl`.
    fn inherent_items(&self) -> TokenStream {
        let polvo = self.polvo;
        let ids = self.hooks.iter().map(|(_, id)| *id);
        let arms = self.hooks.iter().map(|(hook, id)| {
            let name = hook.name.as_str();
            quote!(#id => #name,)
        });
        let id_arms = self.all.iter().map(|hook| {
            let variant = ident(&hook.type_name);
            match hook.operation_id.as_deref() {
                Some(id) => quote!(Self::#variant(_) => Some(#id),),
                None => quote!(Self::#variant(_) => None,),
            }
        });
        quote! {
            /// The `operationId`s of the webhooks' operations, as the spec
            /// writes them.
            pub const OPERATION_IDS: &'static [&'static str] = &[#(#ids),*];

            /// Decodes `body`, the raw body of the webhook whose operation
            /// the spec identifies as `operation_id` (one of
            /// [`Self::OPERATION_IDS`]); verify its signature first.
            pub fn from_operation_id(operation_id: &str, body: &[u8]) -> Result<Self, #polvo::webhooks::PayloadError> {
                let name = match operation_id {
                    #(#arms)*
                    _ => return Err(#polvo::webhooks::PayloadError::unknown_operation(operation_id, Self::OPERATION_IDS)),
                };
                Self::from_name(name, body)
            }

            /// The `operationId` of the webhook's operation, when the spec
            /// gives it one.
            pub fn operation_id(&self) -> Option<&'static str> {
                match self {
                    #(#id_arms)*
                }
            }
        }
    }

    /// `impl polvo::webhooks::FromOperationId for Event`, through the
    /// inherent items.
    fn trait_impl(&self) -> TokenStream {
        let (polvo, name) = (self.polvo, self.enum_name);
        quote! {
            impl #polvo::webhooks::FromOperationId for #name {
                const OPERATION_IDS: &'static [&'static str] = #name::OPERATION_IDS;

                fn from_operation_id(operation_id: &str, body: &[u8]) -> Result<Self, #polvo::webhooks::PayloadError> {
                    #name::from_operation_id(operation_id, body)
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
