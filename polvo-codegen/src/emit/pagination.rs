//! `.pages()` and `.items()` on the builders of paginated operations:
//! streams over `polvo::paginate`, each page's request being the builder's
//! with the paging parameter set to the value the previous page gave.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

use super::paths::{Paths, ident};
use crate::model::{FieldStep, Operation, PageStyle, Pagination, Param};

/// The builder's `pages` and `items` methods; nothing when the operation
/// does not page. `error` is the operation's error type.
pub fn methods(op: &Operation, error: &TokenStream, paths: &Paths<'_>) -> TokenStream {
    let Some(pagination) = &op.pagination else { return TokenStream::new() };
    let polvo = paths.polvo();
    let param = &op.params[pagination.param];
    let field = ident(&param.rust_name);
    let param_ty = paths.ty(&param.ty);
    let item = paths.ty(&pagination.item);
    let (start, set) = if param.required {
        (quote!(Some(self.#field.clone())), quote!(request.#field = cursor;))
    } else {
        (quote!(self.#field.clone()), quote!(request.#field = Some(cursor);))
    };
    let page = page_body(pagination, param, (&item, error), paths);
    let pages_doc = format!(
        " Every page of results, fetched as the stream is polled: this request, then the same request with \
         `{}` set {}. The stream ends after the last page, or after an error (its last item).",
        param.wire_name,
        style_words(&pagination.style)
    );
    quote! {
        #[doc = #pages_doc]
        pub fn pages(
            self,
        ) -> impl #polvo::paginate::Stream<Item = Result<#polvo::paginate::Page<#item>, #polvo::Error<#error>>>
               + ::core::marker::Send
               + 'static {
            let start = #start;
            #polvo::paginate::pages(start, move |cursor: Option<#param_ty>| {
                let mut request = self.clone();
                if let Some(cursor) = cursor {
                    #set
                }
                async move {
                    #page
                }
            })
        }

        /// Every item of every page, in order (see [`pages`](Self::pages)).
        pub fn items(
            self,
        ) -> impl #polvo::paginate::Stream<Item = Result<#item, #polvo::Error<#error>>> + ::core::marker::Send + 'static
        {
            #polvo::paginate::items(self.pages())
        }
    }
}

/// What the docs say about the next page's value.
fn style_words(style: &PageStyle) -> &'static str {
    match style {
        PageStyle::Cursor(_) => "to the cursor the previous response gave",
        PageStyle::LastItem(_) => "from the previous page's last item",
        PageStyle::Link => "as in the previous response's `Link: rel=\"next\"` URL",
        PageStyle::Offset => "past the items received so far",
        PageStyle::PageNumber { .. } => "to the next page number",
    }
}

/// The body of one page's future: send, read the next cursor, take the items.
fn page_body(
    pagination: &Pagination,
    param: &Param,
    (item, error): (&TokenStream, &TokenStream),
    paths: &Paths<'_>,
) -> TokenStream {
    let polvo = paths.polvo();
    let vec = paths.vec();
    let wire = param.wire_name.as_str();
    let field = ident(&param.rust_name);
    let items = owned_chain(quote!(body), &pagination.items);
    // Offsets and page numbers are integers, so `Copy`.
    let current = |start: TokenStream| match param.required {
        true => quote!(let current = request.#field;),
        false => quote!(let current = request.#field.unwrap_or(#start);),
    };
    let current = match pagination.style {
        PageStyle::Offset => current(quote!(0)),
        PageStyle::PageNumber { start } => current(proc_macro2::Literal::i64_unsuffixed(start).into_token_stream()),
        _ => TokenStream::new(),
    };
    let (before_items, after_items) = match &pagination.style {
        PageStyle::Cursor(path) => {
            let cursor = borrowed_chain(quote!(body), path).cloned();
            (quote!(let next = #cursor;), TokenStream::new())
        }
        PageStyle::Link => {
            (quote!(let next = #polvo::paginate::next_link_parameter(&headers, #wire)?;), TokenStream::new())
        }
        PageStyle::LastItem(path) => {
            let Borrowed { expr, optional } = borrowed_chain(quote!(item), path);
            let next = if optional {
                quote!(let next = items.last().and_then(|item| #expr).cloned();)
            } else {
                quote!(let next = items.last().map(|item| #expr.clone());)
            };
            (TokenStream::new(), next)
        }
        PageStyle::Offset => (TokenStream::new(), advance(wire, quote!(items.len()), paths)),
        PageStyle::PageNumber { .. } => (TokenStream::new(), advance(wire, quote!(1), paths)),
    };
    let has_more = pagination.has_more.as_ref().map(|path| {
        let more = borrowed_chain(quote!(body), path).flag();
        quote!(let more = #more;)
    });
    let filter = has_more.as_ref().map(|_| quote!(let next = next.filter(|_| more);));
    quote! {
        #current
        let (status, headers, body) = request.send_response().await?.into_parts();
        #has_more
        #before_items
        let items: #vec<#item> = #items;
        #after_items
        #filter
        Ok::<_, #polvo::Error<#error>>(#polvo::paginate::Fetched::new(
            #polvo::paginate::Page::new(items, status, headers),
            next,
        ))
    }
}

/// The next offset or page number: none after an empty page.
fn advance(wire: &str, step: TokenStream, paths: &Paths<'_>) -> TokenStream {
    let polvo = paths.polvo();
    quote! {
        let next = if items.is_empty() {
            None
        } else {
            Some(#polvo::paginate::next_offset(#wire, current, #step)?)
        };
    }
}

/// The field at the end of a path of fields, borrowed.
struct Borrowed {
    /// A place (`body.a.b`), or an `Option<&Leaf>` when a field on the way is optional.
    expr: TokenStream,
    /// Whether `expr` is the `Option`.
    optional: bool,
}

impl Borrowed {
    /// The leaf, cloned, as an `Option`.
    fn cloned(&self) -> TokenStream {
        let expr = &self.expr;
        if self.optional { quote!(#expr.cloned()) } else { quote!(Some(#expr.clone())) }
    }

    /// The boolean leaf (`false` where a field on the way is absent).
    fn flag(&self) -> TokenStream {
        let expr = &self.expr;
        if self.optional { quote!(#expr.copied().unwrap_or(false)) } else { expr.clone() }
    }
}

/// The field at the end of `steps`, borrowed from `base`.
fn borrowed_chain(base: TokenStream, steps: &[FieldStep]) -> Borrowed {
    let mut expr = base;
    let mut optional = false;
    for step in steps {
        let f = ident(&step.field);
        expr = match (optional, step.optional, step.boxed) {
            (false, false, false) => quote!(#expr.#f),
            (false, false, true) => quote!((*#expr.#f)),
            (false, true, false) => quote!(#expr.#f.as_ref()),
            (false, true, true) => quote!(#expr.#f.as_deref()),
            (true, false, false) => quote!(#expr.map(|v| &v.#f)),
            (true, false, true) => quote!(#expr.map(|v| &*v.#f)),
            (true, true, false) => quote!(#expr.and_then(|v| v.#f.as_ref())),
            (true, true, true) => quote!(#expr.and_then(|v| v.#f.as_deref())),
        };
        optional |= step.optional;
    }
    Borrowed { expr, optional }
}

/// The value at the end of `steps`, moved out of `base` (an empty array
/// where an optional field on the way is absent).
fn owned_chain(base: TokenStream, steps: &[FieldStep]) -> TokenStream {
    let mut expr = base;
    let mut optional = false;
    for step in steps {
        let f = ident(&step.field);
        expr = match (optional, step.optional, step.boxed) {
            (false, false, false) => quote!(#expr.#f),
            (false, false, true) => quote!((*#expr.#f)),
            (false, true, false) => quote!(#expr.#f),
            (false, true, true) => quote!(#expr.#f.map(|b| *b)),
            (true, false, false) => quote!(#expr.map(|v| v.#f)),
            (true, false, true) => quote!(#expr.map(|v| *v.#f)),
            (true, true, false) => quote!(#expr.and_then(|v| v.#f)),
            (true, true, true) => quote!(#expr.and_then(|v| v.#f).map(|b| *b)),
        };
        optional |= step.optional;
    }
    if optional { quote!(#expr.unwrap_or_default()) } else { expr }
}
