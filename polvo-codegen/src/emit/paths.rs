//! Rust paths for model types.
//!
//! Inside `types`, a schema may be named like a prelude type (`Option`,
//! `Result`, `String`, …). Only then are standard paths written out in full;
//! otherwise the generated code uses the names a person would write.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::model::{Primitive, TypeDef, TypeRef};

/// Prelude and std names generated code uses.
const STD_NAMES: &[&str] =
    &["Option", "Some", "None", "Vec", "String", "Box", "Result", "Ok", "Err", "Default", "ToOwned", "From", "Into"];

/// How to write type paths in one module.
#[derive(Clone, Copy)]
pub struct Paths<'a> {
    types: &'a [TypeDef],
    /// The path to the polvo crate (`::polvo` unless renamed).
    polvo: &'a TokenStream,
    /// How named types are reached from this module (`types::` or nothing).
    in_types_module: bool,
    /// Whether standard names must be written in full.
    qualified: bool,
}

impl<'a> Paths<'a> {
    /// Paths for the `types` module.
    pub fn types_module(types: &'a [TypeDef], polvo: &'a TokenStream) -> Self {
        let qualified = types.iter().any(|t| t.usage.is_used() && STD_NAMES.contains(&t.name.as_str()));
        Paths { types, polvo, in_types_module: true, qualified }
    }

    /// Paths for a module that reaches types through `types::`.
    pub fn outside(types: &'a [TypeDef], polvo: &'a TokenStream) -> Self {
        Paths { types, polvo, in_types_module: false, qualified: false }
    }

    /// The path to the polvo crate, which every path to the runtime starts with.
    pub fn polvo(&self) -> &'a TokenStream {
        self.polvo
    }

    /// `Option`.
    pub fn option(&self) -> TokenStream {
        if self.qualified { quote!(::std::option::Option) } else { quote!(Option) }
    }

    /// `Some`.
    pub fn some(&self) -> TokenStream {
        if self.qualified { quote!(::std::option::Option::Some) } else { quote!(Some) }
    }

    /// `None`.
    pub fn none(&self) -> TokenStream {
        if self.qualified { quote!(::std::option::Option::None) } else { quote!(None) }
    }

    /// `String`.
    pub fn string(&self) -> TokenStream {
        if self.qualified { quote!(::std::string::String) } else { quote!(String) }
    }

    /// `Vec`.
    pub fn vec(&self) -> TokenStream {
        if self.qualified { quote!(::std::vec::Vec) } else { quote!(Vec) }
    }

    /// `Box`.
    pub fn boxed(&self) -> TokenStream {
        if self.qualified { quote!(::std::boxed::Box) } else { quote!(Box) }
    }

    /// `Result`.
    pub fn result(&self) -> TokenStream {
        if self.qualified { quote!(::std::result::Result) } else { quote!(Result) }
    }

    /// `From`.
    pub fn trait_from(&self) -> TokenStream {
        if self.qualified { quote!(::std::convert::From) } else { quote!(From) }
    }

    /// The name of a named type, as an identifier.
    pub fn type_ident(&self, id: usize) -> Ident {
        ident(&self.types[id].name)
    }

    /// The Rust type for a [`TypeRef`].
    pub fn ty(&self, ty: &TypeRef) -> TokenStream {
        let polvo = self.polvo;
        match ty {
            TypeRef::Named(id) => {
                let name = self.type_ident(*id);
                if self.in_types_module { quote!(#name) } else { quote!(types::#name) }
            }
            TypeRef::Primitive(p) => self.primitive(*p),
            TypeRef::Vec(inner) => {
                let (vec, inner) = (self.vec(), self.ty(inner));
                quote!(#vec<#inner>)
            }
            TypeRef::Map(inner) => {
                let (string, inner) = (self.string(), self.ty(inner));
                quote!(::std::collections::HashMap<#string, #inner>)
            }
            TypeRef::Option(inner) => {
                let (option, inner) = (self.option(), self.ty(inner));
                quote!(#option<#inner>)
            }
            TypeRef::Box(inner) => {
                let (boxed, inner) = (self.boxed(), self.ty(inner));
                quote!(#boxed<#inner>)
            }
            TypeRef::Json => quote!(#polvo::Value),
            TypeRef::JsonObject => quote!(#polvo::JsonObject),
            TypeRef::Binary => quote!(#polvo::Binary),
            TypeRef::Bytes => quote!(#polvo::Bytes),
            TypeRef::Unit => quote!(()),
        }
    }

    fn primitive(&self, p: Primitive) -> TokenStream {
        let polvo = self.polvo;
        match p {
            Primitive::String => self.string(),
            Primitive::Bool => quote!(bool),
            Primitive::I32 => quote!(i32),
            Primitive::I64 => quote!(i64),
            Primitive::U32 => quote!(u32),
            Primitive::U64 => quote!(u64),
            Primitive::F32 => quote!(f32),
            Primitive::F64 => quote!(f64),
            Primitive::DateTime => quote!(#polvo::DateTime),
            Primitive::Date => quote!(#polvo::Date),
            Primitive::Uuid => quote!(#polvo::Uuid),
        }
    }
}

/// An identifier from a name the model produced (possibly `r#raw`).
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => format_ident!("{}", name),
    }
}

/// Whether a type mentions any named type.
pub fn mentions_named(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Named(_) => true,
        TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Option(inner) | TypeRef::Box(inner) => {
            mentions_named(inner)
        }
        _ => false,
    }
}
