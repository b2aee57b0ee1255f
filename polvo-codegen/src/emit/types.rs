//! Emitting the `types` module: structs, enums, unions and aliases.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{code, docs_attrs};
use super::paths::{Paths, ident};
use crate::model::{EnumValue, StructDef, TypeDef, TypeKind, TypeRef, UnionDef, Usage};

const SERDE_CRATE: &str = "::polvo::__private::serde";

/// The items of the `types` module.
pub fn types_module(types: &[TypeDef]) -> TokenStream {
    let paths = Paths::types_module(types);
    let items: Vec<TokenStream> =
        types.iter().filter(|def| def.usage.is_used()).map(|def| type_def(def, &paths)).collect();
    let derives = |t: &&TypeDef| matches!(t.kind, TypeKind::Struct(_) | TypeKind::Union(_) | TypeKind::Newtype(_));
    let serialize = types.iter().filter(derives).any(|t| t.usage.serialize);
    let deserialize = types.iter().filter(derives).any(|t| t.usage.deserialize);
    let imports = match (serialize, deserialize) {
        (true, true) => quote! { use ::polvo::__private::serde::{Deserialize, Serialize}; },
        (true, false) => quote! { use ::polvo::__private::serde::Serialize; },
        (false, true) => quote! { use ::polvo::__private::serde::Deserialize; },
        (false, false) => TokenStream::new(),
    };
    quote! {
        #imports
        #(#items)*
    }
}

/// The serde derives a type needs for the directions it travels in.
fn serde_derives(usage: Usage) -> TokenStream {
    match (usage.serialize, usage.deserialize) {
        (true, true) => quote!(Serialize, Deserialize),
        (true, false) => quote!(Serialize),
        _ => quote!(Deserialize),
    }
}

fn type_def(def: &TypeDef, paths: &Paths<'_>) -> TokenStream {
    match &def.kind {
        TypeKind::Struct(s) => struct_def(def, s, paths),
        TypeKind::StringEnum(values) => string_enum(def, values, paths),
        TypeKind::Union(u) => union_def(def, u, paths),
        TypeKind::Alias(ty) => {
            let docs = docs_attrs(&def.docs, &[]);
            let name = ident(&def.name);
            let ty = paths.ty(ty);
            quote! { #docs pub type #name = #ty; }
        }
        TypeKind::Newtype(ty) => {
            let docs = docs_attrs(&def.docs, &[]);
            let name = ident(&def.name);
            let ty = paths.ty(ty);
            let serde = serde_derives(def.usage);
            quote! {
                #docs
                #[derive(Clone, Debug, PartialEq, #serde)]
                #[serde(crate = #SERDE_CRATE, transparent)]
                pub struct #name(pub #ty);
            }
        }
    }
}

fn struct_def(def: &TypeDef, s: &StructDef, paths: &Paths<'_>) -> TokenStream {
    let docs = docs_attrs(&def.docs, &[]);
    let name = ident(&def.name);
    let is_none = paths.is_none_fn();
    let fields = s.fields.iter().map(|f| {
        let field_docs = docs_attrs(&f.docs, &[]);
        let field = ident(&f.rust_name);
        let ty = paths.ty(&f.ty);
        let wire = &f.wire_name;
        let mut attrs = Vec::new();
        if crate::naming::unraw(&f.rust_name) != wire {
            attrs.push(quote!(rename = #wire));
        }
        if !f.required && matches!(f.ty, TypeRef::Option(_)) {
            attrs.push(quote!(default, skip_serializing_if = #is_none));
        }
        let serde = if attrs.is_empty() { TokenStream::new() } else { quote!(#[serde(#(#attrs),*)]) };
        quote! {
            #field_docs
            #serde
            pub #field: #ty,
        }
    });
    let additional = s.additional.as_ref().map(|ty| {
        let map = paths.ty(&TypeRef::Map(Box::new(ty.clone())));
        let field = ident(&unique_field(s, "additional_properties"));
        quote! {
            /// Properties not listed in the schema.
            #[serde(flatten)]
            pub #field: #map,
        }
    });
    let all_optional = s.fields.iter().all(|f| matches!(f.ty, TypeRef::Option(_)));
    let default = if all_optional { quote!(Default,) } else { TokenStream::new() };
    let serde = serde_derives(def.usage);
    quote! {
        #docs
        #[derive(Clone, Debug, #default PartialEq, #serde)]
        #[serde(crate = #SERDE_CRATE)]
        pub struct #name {
            #(#fields)*
            #additional
        }
    }
}

/// A field name for the extra-properties map that no property took.
fn unique_field(s: &StructDef, base: &str) -> String {
    let mut name = base.to_owned();
    let mut n = 2;
    while s.fields.iter().any(|f| f.rust_name == name) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

fn string_enum(def: &TypeDef, values: &[EnumValue], paths: &Paths<'_>) -> TokenStream {
    let docs = docs_attrs(&def.docs, &[]);
    let name = ident(&def.name);
    let string = paths.string();
    let from = paths.from_trait();
    let unknown = ident(&unknown_variant(values));
    let variants = values.iter().map(|v| {
        let variant = ident(&v.variant);
        let doc = format!(" {}", code(&v.wire));
        let extra = docs_attrs(&v.docs, &[]);
        quote! { #[doc = #doc] #extra #variant, }
    });
    let as_str = values.iter().map(|v| {
        let variant = ident(&v.variant);
        let wire = &v.wire;
        quote! { Self::#variant => #wire, }
    });
    let from_str = values.iter().map(|v| {
        let variant = ident(&v.variant);
        let wire = &v.wire;
        quote! { #wire => Self::#variant, }
    });
    quote! {
        #docs
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum #name {
            #(#variants)*
            /// A value this client does not know: the server added it after the spec was written.
            #unknown(#string),
        }

        impl #name {
            /// The value as it is sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    Self::#unknown(value) => value,
                }
            }
        }

        impl #from<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::#unknown(#string::from(other)),
                }
            }
        }

        ::polvo::__private::impl_string_enum!(#name);
    }
}

/// The catch-all variant's name: `Unknown`, unless a value took it.
fn unknown_variant(values: &[EnumValue]) -> String {
    let mut name = "Unknown".to_owned();
    let mut n = 2;
    while values.iter().any(|v| v.variant == name) {
        name = format!("Unknown{n}");
        n += 1;
    }
    name
}

fn union_def(def: &TypeDef, u: &UnionDef, paths: &Paths<'_>) -> TokenStream {
    let name = ident(&def.name);
    let extra = match &u.discriminator {
        Some(property) => format!("Decoded by the {} property.", code(property)),
        None => "Decoded as the first variant that fits.".to_owned(),
    };
    let docs = docs_attrs(&def.docs, &[Some(&extra)]);
    let variants = u.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let ty = paths.ty(&v.ty);
        let tags = if u.discriminator.is_some() && !v.tags.is_empty() {
            let list: Vec<String> = v.tags.iter().map(|t| code(t)).collect();
            format!("Selected by {}.", list.join(", "))
        } else {
            String::new()
        };
        let docs = docs_attrs(&v.docs, &[Some(&tags)]);
        quote! { #docs #variant(#ty), }
    });
    let serde = serde_derives(def.usage);
    match &u.discriminator {
        None => quote! {
            #docs
            #[derive(Clone, Debug, PartialEq, #serde)]
            #[serde(crate = #SERDE_CRATE, untagged)]
            pub enum #name {
                #(#variants)*
            }
        },
        Some(property) => {
            let result = paths.result();
            let some = paths.some();
            let arms = u.variants.iter().map(|v| {
                let variant = ident(&v.name);
                let tags = v.tags.iter();
                quote! { #(#some(#tags))|* => ::polvo::__private::decode_variant(value).map(Self::#variant), }
            });
            let known: Vec<&String> = u.variants.iter().flat_map(|v| v.tags.iter()).collect();
            let serialize = if def.usage.serialize {
                quote! {
                    #[derive(Clone, Debug, PartialEq, Serialize)]
                    #[serde(crate = #SERDE_CRATE, untagged)]
                }
            } else {
                quote!(#[derive(Clone, Debug, PartialEq)])
            };
            let deserialize = if def.usage.deserialize {
                quote! {
                    impl<'de> Deserialize<'de> for #name {
                        fn deserialize<D>(deserializer: D) -> #result<Self, D::Error>
                        where
                            D: ::polvo::__private::serde::Deserializer<'de>,
                        {
                            let value = ::polvo::Value::deserialize(deserializer)?;
                            match ::polvo::__private::discriminator(&value, #property).as_deref() {
                                #(#arms)*
                                tag => ::polvo::__private::unknown_tag(#property, tag, &[#(#known),*]),
                            }
                        }
                    }
                }
            } else {
                TokenStream::new()
            };
            quote! {
                #docs
                #serialize
                pub enum #name {
                    #(#variants)*
                }

                #deserialize
            }
        }
    }
}
