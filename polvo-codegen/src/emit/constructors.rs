//! Constructors of the structs requests send: `Type::new(required…)` with
//! every required field, then a builder-style setter per optional field, so
//! a body with nested required parts is written without struct literals
//! and `..Default::default()`:
//!
//! ```ignore
//! let item = NewItem::new("lamp", 12.5).tag("light");
//! ```

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::docs::code;
use super::paths::{Paths, ident};
use crate::model::{Field, StructDef, TypeDef, TypeRef};

/// Methods a setter must not shadow: `new`, and the methods of the traits
/// the struct implements or users call on it (an inherent method wins over
/// a trait's, so a setter `clone(value)` would break `item.clone()`).
/// Such fields are set directly; they are `pub`.
const NOT_SETTERS: &[&str] = &[
    "new",
    "clone",
    "clone_from",
    "eq",
    "ne",
    "fmt",
    "to_owned",
    "to_string",
    "into",
    "try_into",
    "from",
    "serialize",
    "deserialize",
    "hash",
    "borrow",
    "borrow_mut",
    "as_ref",
    "type_id",
];

/// More required fields than this and clippy's `too_many_arguments` would
/// fire in the user's crate.
const CLIPPY_MAX_ARGUMENTS: usize = 7;

/// The `impl` with `new` and the setters, for a struct that requests send
/// and that has a required field (one with only optional fields derives
/// `Default` instead). `extra` is the field keeping extra properties.
pub fn struct_constructors(def: &TypeDef, s: &StructDef, extra: Option<&Ident>, paths: &Paths<'_>) -> TokenStream {
    let required: Vec<&Field> = s.fields.iter().filter(|f| !matches!(f.ty, TypeRef::Option(_))).collect();
    if !def.usage.serialize || required.is_empty() {
        return TokenStream::new();
    }
    let name = ident(&def.name);
    let none = paths.none();
    let params = required.iter().map(|f| {
        let field = ident(&f.rust_name);
        let ty = param_type(&f.ty, paths);
        quote!(#field: #ty)
    });
    let inits = s.fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        match &f.ty {
            TypeRef::Option(_) => quote!(#field: #none,),
            ty if needs_conversion(ty) => {
                let value = converted(ty, quote!(#field), paths);
                quote!(#field: #value,)
            }
            _ => quote!(#field,),
        }
    });
    let extra = extra.map(|field| quote!(#field: ::std::default::Default::default(),));
    let allow = (required.len() > CLIPPY_MAX_ARGUMENTS).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let doc = format!(
        " Builds a `{}` from its required properties; the optional ones start unset (see the setters).",
        def.name
    );
    let setters =
        s.fields.iter().filter(|f| !NOT_SETTERS.contains(&f.rust_name.as_str())).filter_map(|f| setter(f, paths));
    quote! {
        impl #name {
            #[doc = #doc]
            #allow
            pub fn new(#(#params),*) -> Self {
                #name { #(#inits)* #extra }
            }
            #(#setters)*
        }
    }
}

/// `fn field(mut self, value) -> Self` for an optional field.
fn setter(f: &Field, paths: &Paths<'_>) -> Option<TokenStream> {
    let TypeRef::Option(inner) = &f.ty else { return None };
    let field = ident(&f.rust_name);
    let some = paths.some();
    let ty = param_type(inner, paths);
    let value = converted(inner, quote!(value), paths);
    let doc = format!(" Sets {}.", code(&f.wire_name));
    Some(quote! {
        #[doc = #doc]
        pub fn #field(mut self, value: #ty) -> Self {
            self.#field = #some(#value);
            self
        }
    })
}

/// The parameter type a field of type `ty` is given as: strings as
/// `impl Into<String>`, boxed values unboxed.
fn param_type(ty: &TypeRef, paths: &Paths<'_>) -> TokenStream {
    match ty {
        TypeRef::Primitive(crate::model::Primitive::String) => {
            let string = paths.string();
            quote!(impl ::std::convert::Into<#string>)
        }
        TypeRef::Box(inner) => paths.ty(inner),
        other => paths.ty(other),
    }
}

/// Whether a parameter of this type is converted before it is stored.
fn needs_conversion(ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::Primitive(crate::model::Primitive::String) | TypeRef::Box(_))
}

/// The expression that turns parameter `value` into the field's value.
fn converted(ty: &TypeRef, value: TokenStream, paths: &Paths<'_>) -> TokenStream {
    match ty {
        TypeRef::Primitive(crate::model::Primitive::String) => quote!(#value.into()),
        TypeRef::Box(_) => {
            let boxed = paths.boxed();
            quote!(#boxed::new(#value))
        }
        _ => value,
    }
}
