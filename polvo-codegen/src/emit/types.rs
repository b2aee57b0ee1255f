//! Emitting the `types` module: structs, enums, unions and aliases.
//!
//! The serde impls are written out rather than derived. A derived
//! `Deserialize` also handles sequences, byte keys and field indices that
//! JSON never uses; for an API the size of GitHub's that unused code is most
//! of the compile time. The written impls read a JSON object key by key,
//! keep unknown keys where the schema allows extra properties, and only
//! exist in the directions a type travels (see [`crate::model::Usage`]; with
//! `serde = "both"` every type travels both ways).

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{code, doc_attrs, paragraphs};
use super::paths::{Paths, ident};
use crate::model::{StringEnumDef, StructDef, TypeDef, TypeKind, TypeRef, UnionDef};

/// What the serde impls of one type need imported.
#[derive(Default)]
struct Imports {
    serialize: bool,
    deserialize: bool,
    map_access: bool,
    serialize_map: bool,
}

impl Imports {
    /// The `use` line of the impls' block (nothing when they need no import).
    fn use_line(&self, polvo: &TokenStream) -> TokenStream {
        let mut names = Vec::new();
        if self.deserialize {
            names.push(quote!(Deserialize));
            names.push(quote!(Deserializer));
        }
        if self.serialize {
            names.push(quote!(Serialize));
            names.push(quote!(Serializer));
        }
        if self.map_access {
            names.push(quote!(de::MapAccess));
            names.push(quote!(de::Visitor));
        }
        if self.serialize_map {
            names.push(quote!(ser::SerializeMap));
        }
        if names.is_empty() {
            TokenStream::new()
        } else {
            quote! { use #polvo::__private::serde::{#(#names),*}; }
        }
    }
}

/// Names the serde impls bring into scope: the serde helpers their block
/// imports, the deserializer's local visitor and the generic parameters of
/// the methods (`serialize<S>`, `deserialize<D>`, `visit_map<A>`). A schema
/// named like one of them is written `self::Name` inside its impls.
const IMPL_SCOPE_NAMES: &[&str] = &[
    "S",
    "D",
    "A",
    "Serialize",
    "Serializer",
    "Deserialize",
    "Deserializer",
    "MapAccess",
    "Visitor",
    "SerializeMap",
    "ObjectVisitor",
];

/// How the impls of a type name it: `Name`, or `self::Name` when a name
/// of the impls' own scope would shadow it.
fn self_type(def: &TypeDef) -> TokenStream {
    let name = ident(&def.name);
    if IMPL_SCOPE_NAMES.contains(&def.name.as_str()) { quote!(self::#name) } else { quote!(#name) }
}

/// The items of the `types` module.
pub fn types_module(types: &[TypeDef], polvo: &TokenStream) -> TokenStream {
    let paths = Paths::types_module(types, polvo);
    let items = types.iter().filter(|def| def.usage.is_used()).map(|def| type_def(def, &paths));
    quote! { #(#items)* }
}

/// A type and its impls. The serde impls sit in a `const _: () = { .. };`
/// block with their imports, so no schema name can clash with an import.
fn type_def(def: &TypeDef, paths: &Paths<'_>) -> TokenStream {
    let mut imports = Imports::default();
    let (item, impls) = match &def.kind {
        TypeKind::Struct(s) => struct_def(def, s, paths, &mut imports),
        TypeKind::StringEnum(e) => (string_enum(def, e, paths), TokenStream::new()),
        TypeKind::Union(u) => union_def(def, u, paths, &mut imports),
        TypeKind::Alias(ty) => {
            let docs = doc_attrs(&paragraphs(&def.docs, &[]));
            let name = ident(&def.name);
            let ty = paths.ty(ty);
            (quote! { #docs pub type #name = #ty; }, TokenStream::new())
        }
        TypeKind::Newtype(ty) => newtype(def, ty, paths, &mut imports),
    };
    if impls.is_empty() {
        return item;
    }
    let use_line = imports.use_line(paths.polvo());
    quote! {
        #item
        const _: () = {
            #use_line
            #impls
        };
    }
}

fn newtype(def: &TypeDef, ty: &TypeRef, paths: &Paths<'_>, imports: &mut Imports) -> (TokenStream, TokenStream) {
    let docs = doc_attrs(&paragraphs(&def.docs, &[]));
    let name = ident(&def.name);
    let this = self_type(def);
    let ty = paths.ty(ty);
    let result = paths.result();
    let ser = def.usage.serialize.then(|| {
        imports.serialize = true;
        quote! {
            impl Serialize for #this {
                fn serialize<S: Serializer>(&self, serializer: S) -> #result<S::Ok, S::Error> {
                    self.0.serialize(serializer)
                }
            }
        }
    });
    let de = def.usage.deserialize.then(|| {
        imports.deserialize = true;
        quote! {
            impl<'de> Deserialize<'de> for #this {
                fn deserialize<D: Deserializer<'de>>(deserializer: D) -> #result<Self, D::Error> {
                    Deserialize::deserialize(deserializer).map(#this)
                }
            }
        }
    });
    let item = quote! {
        #docs
        #[derive(Clone, Debug, PartialEq)]
        pub struct #name(pub #ty);
    };
    (item, quote! { #ser #de })
}

fn struct_def(def: &TypeDef, s: &StructDef, paths: &Paths<'_>, imports: &mut Imports) -> (TokenStream, TokenStream) {
    let docs = doc_attrs(&paragraphs(&def.docs, &[]));
    let name = ident(&def.name);
    let extra_field = s.additional.as_ref().map(|extra| (ident(&extra.field), &extra.ty));
    let fields = s.fields.iter().map(|f| {
        let field_docs = doc_attrs(&paragraphs(&f.docs, &[]));
        let field = ident(&f.rust_name);
        let ty = paths.ty(&f.ty);
        quote! {
            #field_docs
            pub #field: #ty,
        }
    });
    let additional = extra_field.as_ref().map(|(field, ty)| {
        let map = paths.ty(&TypeRef::Map(Box::new((*ty).clone())));
        quote! {
            /// Properties not listed in the schema.
            pub #field: #map,
        }
    });
    let all_optional = s.fields.iter().all(|f| matches!(f.ty, TypeRef::Option(_)));
    let default = if all_optional { quote!(Default,) } else { TokenStream::new() };
    let ser = def.usage.serialize.then(|| serialize_struct(def, s, extra_field.as_ref().map(|f| &f.0), paths, imports));
    let de =
        def.usage.deserialize.then(|| deserialize_struct(def, s, extra_field.as_ref().map(|f| &f.0), paths, imports));
    let constructors = super::constructors::struct_constructors(def, s, extra_field.as_ref().map(|f| &f.0), paths);
    let item = quote! {
        #docs
        #[derive(Clone, Debug, #default PartialEq)]
        pub struct #name {
            #(#fields)*
            #additional
        }
        #constructors
    };
    (item, quote! { #ser #de })
}

/// `Serialize`: a map with one entry per field, leaving out unset optional
/// fields, then the extra properties.
fn serialize_struct(
    def: &TypeDef,
    s: &StructDef,
    extra: Option<&proc_macro2::Ident>,
    paths: &Paths<'_>,
    imports: &mut Imports,
) -> TokenStream {
    imports.serialize = true;
    imports.serialize_map = true;
    let name = self_type(def);
    let result = paths.result();
    let some = paths.some();
    let none = paths.none();
    let entries = s.fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        let wire = &f.wire_name;
        if !f.required && matches!(f.ty, TypeRef::Option(_)) {
            quote! {
                if let #some(value) = &self.#field {
                    map.serialize_entry(#wire, value)?;
                }
            }
        } else {
            quote! { map.serialize_entry(#wire, &self.#field)?; }
        }
    });
    let extra = extra.map(|field| {
        quote! {
            for (key, value) in &self.#field {
                map.serialize_entry(key, value)?;
            }
        }
    });
    let map_binding = if s.fields.is_empty() && extra.is_none() { quote!(map) } else { quote!(mut map) };
    quote! {
        impl Serialize for #name {
            fn serialize<S: Serializer>(&self, serializer: S) -> #result<S::Ok, S::Error> {
                let #map_binding = serializer.serialize_map(#none)?;
                #(#entries)*
                #extra
                map.end()
            }
        }
    }
}

/// `Deserialize`: reads a JSON object key by key; unknown keys are kept in
/// the extra-properties map when the schema has one, skipped otherwise.
fn deserialize_struct(
    def: &TypeDef,
    s: &StructDef,
    extra: Option<&proc_macro2::Ident>,
    paths: &Paths<'_>,
    imports: &mut Imports,
) -> TokenStream {
    imports.deserialize = true;
    imports.map_access = true;
    let name = self_type(def);
    let result = paths.result();
    let none = paths.none();
    let expecting = format!("a {} object", def.name);
    let locals = s.fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        quote!(let mut #field = #none;)
    });
    let extra_local = extra.map(|field| quote!(let mut #field = ::std::collections::HashMap::new();));
    let reading = key_loop(s, extra, paths);
    let inits = field_inits(s, paths);
    let extra_init = extra.map(|field| quote!(#field,));
    quote! {
        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> #result<Self, D::Error> {
                struct ObjectVisitor;

                impl<'de> Visitor<'de> for ObjectVisitor {
                    type Value = #name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }

                    fn visit_map<A: MapAccess<'de>>(self, mut __map: A) -> #result<#name, A::Error> {
                        #(#locals)*
                        #extra_local
                        #reading
                        ::std::result::Result::Ok(#name {
                            #(#inits)*
                            #extra_init
                        })
                    }
                }

                deserializer.deserialize_map(ObjectVisitor)
            }
        }
    }
}

/// The loop of a struct's `visit_map`: each property's value goes to its
/// local, any other key's to the extra-properties map, or is skipped.
fn key_loop(s: &StructDef, extra: Option<&proc_macro2::Ident>, paths: &Paths<'_>) -> TokenStream {
    let some = paths.some();
    let polvo = paths.polvo();
    let unknown_key = match extra {
        Some(field) => quote!(#field.insert(__key.into_string(), __map.next_value()?);),
        None => quote!(__map.next_value::<#polvo::__private::serde::de::IgnoredAny>()?;),
    };
    if s.fields.is_empty() {
        // Nothing to match on: every key is unknown.
        return quote! {
            while let #some(__key) = __map.next_key::<#polvo::__private::Key<'de>>()? {
                #unknown_key
            }
        };
    }
    let arms = s.fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        let wire = &f.wire_name;
        if matches!(f.ty, TypeRef::Option(_)) {
            quote!(#wire => #field = __map.next_value()?,)
        } else {
            quote!(#wire => #field = #some(__map.next_value()?),)
        }
    });
    quote! {
        while let #some(__key) = __map.next_key::<#polvo::__private::Key<'de>>()? {
            match __key.as_str() {
                #(#arms)*
                _ => {
                    #unknown_key
                }
            }
        }
    }
}

/// The fields of the struct a `visit_map` returns: optional ones as read,
/// required ones checked to be present.
fn field_inits(s: &StructDef, paths: &Paths<'_>) -> Vec<TokenStream> {
    let polvo = paths.polvo();
    s.fields
        .iter()
        .map(|f| {
            let field = ident(&f.rust_name);
            let wire = &f.wire_name;
            if matches!(f.ty, TypeRef::Option(_)) {
                quote!(#field,)
            } else {
                quote!(#field: #polvo::__private::required(#field, #wire)?,)
            }
        })
        .collect()
}

fn string_enum(def: &TypeDef, e: &StringEnumDef, paths: &Paths<'_>) -> TokenStream {
    let values = &e.values;
    let docs = doc_attrs(&paragraphs(&def.docs, &[]));
    let name = ident(&def.name);
    let string = paths.string();
    let from = paths.trait_from();
    let unknown = ident(&e.unknown);
    let variants = values.iter().map(|v| {
        let variant = ident(&v.variant);
        let doc = format!(" {}", code(&v.wire));
        let extra = doc_attrs(&paragraphs(&v.docs, &[]));
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
    let polvo = paths.polvo();
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

        #polvo::__private::impl_string_enum!(#name);
    }
}

fn union_def(def: &TypeDef, u: &UnionDef, paths: &Paths<'_>, imports: &mut Imports) -> (TokenStream, TokenStream) {
    let name = ident(&def.name);
    let this = self_type(def);
    let extra = match &u.discriminator {
        Some(property) => format!("Decoded by the {} property.", code(property)),
        None => "Decoded as the first variant that fits.".to_owned(),
    };
    let docs = doc_attrs(&paragraphs(&def.docs, &[Some(&extra)]));
    let result = paths.result();
    let polvo = paths.polvo();
    let variants = u.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let ty = paths.ty(&v.ty);
        let tags = if u.discriminator.is_some() && !v.tags.is_empty() {
            let list: Vec<String> = v.tags.iter().map(|t| code(t)).collect();
            format!("Selected by {}.", list.join(", "))
        } else {
            String::new()
        };
        let docs = doc_attrs(&paragraphs(&v.docs, &[Some(&tags)]));
        quote! { #docs #variant(#ty), }
    });
    // Every variant's payload carries what identifies it (the discriminator
    // property included), so serializing is the payload's own.
    let ser = def.usage.serialize.then(|| {
        imports.serialize = true;
        let arms = u.variants.iter().map(|v| {
            let variant = ident(&v.name);
            quote!(Self::#variant(value) => value.serialize(serializer),)
        });
        quote! {
            impl Serialize for #this {
                fn serialize<S: Serializer>(&self, serializer: S) -> #result<S::Ok, S::Error> {
                    match self {
                        #(#arms)*
                    }
                }
            }
        }
    });
    let de = def.usage.deserialize.then(|| {
        imports.deserialize = true;
        let body = union_decoding(def, u, paths);
        quote! {
            impl<'de> Deserialize<'de> for #this {
                fn deserialize<D: Deserializer<'de>>(deserializer: D) -> #result<Self, D::Error> {
                    let value = #polvo::Value::deserialize(deserializer)?;
                    #body
                }
            }
        }
    });
    // A union's variants are the schemas it joins, as the spec has them;
    // boxing the large ones would change the API for a lint.
    let item = quote! {
        #docs
        #[derive(Clone, Debug, PartialEq)]
        #[allow(clippy::large_enum_variant)]
        pub enum #name {
            #(#variants)*
        }
    };
    (item, quote! { #ser #de })
}

/// The body of a union's `deserialize`, given the buffered `value`: by the
/// discriminator's tag when there is one, else the first variant that fits.
fn union_decoding(def: &TypeDef, u: &UnionDef, paths: &Paths<'_>) -> TokenStream {
    let some = paths.some();
    let polvo = paths.polvo();
    match &u.discriminator {
        Some(property) => {
            let arms = u.variants.iter().map(|v| {
                let variant = ident(&v.name);
                let tags = v.tags.iter();
                quote! { #(#some(#tags))|* => #polvo::__private::decode_variant(value).map(Self::#variant), }
            });
            let known: Vec<&String> = u.variants.iter().flat_map(|v| v.tags.iter()).collect();
            quote! {
                match #polvo::__private::discriminator(&value, #property).as_deref() {
                    #(#arms)*
                    tag => #polvo::__private::unknown_tag(#property, tag, &[#(#known),*]),
                }
            }
        }
        None => {
            let attempts = u.variants.iter().map(|v| {
                let variant = ident(&v.name);
                quote! {
                    if let ::std::result::Result::Ok(value) = Deserialize::deserialize(&value) {
                        return ::std::result::Result::Ok(Self::#variant(value));
                    }
                }
            });
            let type_name = &def.name;
            quote! {
                #(#attempts)*
                ::std::result::Result::Err(#polvo::__private::no_variant_matched(#type_name, &value))
            }
        }
    }
}
