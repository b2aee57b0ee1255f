//! Emitting operations: the method that starts a request, its builder, and
//! the enums of its responses.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs::{code, doc_attrs};
use super::paths::{Paths, ident};
use crate::model::{
    BodyEncoding, Operation, Outcome, ParamLocation, PathPart, QueryStyle, Response, ResponseBody, StatusMatch,
    TypeDef, TypeKind, TypeRef,
};

/// How the code around an operation reaches the client.
#[derive(Clone, Copy)]
pub enum Owner {
    /// A group struct with a `client: &Client` field.
    Group,
    /// The `Client` itself.
    Client,
}

/// The method that starts a request, for the group's (or client's) `impl`.
pub fn starter(op: &Operation, owner: Owner, paths: &Paths<'_>) -> TokenStream {
    let method = ident(&op.method_name);
    let builder = ident(&op.builder_name);
    let docs = operation_docs(op);
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for p in &op.params {
        let name = ident(&p.rust_name);
        if p.required {
            let ty = paths.ty(&p.ty);
            args.push(quote!(#name: impl Into<#ty>));
            inits.push(quote!(#name: #name.into()));
        } else {
            inits.push(quote!(#name: None));
        }
    }
    if let Some(body) = &op.body {
        if body.required {
            let ty = paths.ty(&body.ty);
            args.push(quote!(body: impl Into<#ty>));
            inits.push(quote!(body: body.into()));
        } else {
            inits.push(quote!(body: None));
        }
    }
    let client = match owner {
        Owner::Group => quote!(self.client.clone()),
        Owner::Client => quote!(self.clone()),
    };
    let polvo = paths.polvo();
    quote! {
        #docs
        pub fn #method(&self, #(#args),*) -> #builder {
            #builder {
                client: #client,
                #(#inits,)*
                call_options: #polvo::CallOptions::new(),
                extras: #polvo::__private::Extras::new(),
            }
        }
    }
}

fn operation_docs(op: &Operation) -> TokenStream {
    let endpoint = format!("`{} {}`", op.http_method, op.path);
    let mut paragraphs: Vec<Option<&str>> = vec![op.summary.as_deref()];
    if op.description.as_deref() != op.summary.as_deref() {
        paragraphs.push(op.description.as_deref());
    }
    let arguments: Vec<String> = op
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| match &p.description {
            Some(d) => format!("- `{}`: {}", crate::naming::unraw(&p.rust_name), one_line(d)),
            None => format!(
                "- `{}`: the {} parameter {}",
                crate::naming::unraw(&p.rust_name),
                location_word(p.location),
                code(&p.wire_name)
            ),
        })
        .chain(op.body.iter().filter(|b| b.required).map(|b| match &b.description {
            Some(d) => format!("- `body`: {}", one_line(d)),
            None => "- `body`: the request body".to_owned(),
        }))
        .collect();
    let arguments = if arguments.is_empty() { String::new() } else { format!("# Arguments\n{}", arguments.join("\n")) };
    paragraphs.push(Some(&arguments));
    let deprecated = op.deprecated.then_some("Deprecated.");
    paragraphs.push(deprecated);
    paragraphs.extend(op.notes.iter().map(|n| Some(n.as_str())));
    paragraphs.push(Some(&endpoint));
    doc_attrs(&paragraphs)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn location_word(location: ParamLocation) -> &'static str {
    match location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

/// The builder's fields for the client, the parameters and the body, and
/// the setters of the optional ones.
fn parameter_fields(
    op: &Operation,
    owner_path: &TokenStream,
    paths: &Paths<'_>,
) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let mut fields = vec![quote!(client: #owner_path)];
    let mut setters = Vec::new();
    for p in &op.params {
        let name = ident(&p.rust_name);
        let ty = paths.ty(&p.ty);
        if p.required {
            fields.push(quote!(#name: #ty));
        } else {
            fields.push(quote!(#name: Option<#ty>));
            let docs = doc_attrs(&[
                p.description.as_deref(),
                p.deprecated.then_some("Deprecated."),
                Some(&format!("Sets the {} parameter {}.", location_word(p.location), code(&p.wire_name))),
            ]);
            setters.push(quote! {
                #docs
                pub fn #name(mut self, value: impl Into<#ty>) -> Self {
                    self.#name = Some(value.into());
                    self
                }
            });
        }
    }
    if let Some(body) = &op.body {
        let ty = paths.ty(&body.ty);
        if body.required {
            fields.push(quote!(body: #ty));
        } else {
            fields.push(quote!(body: Option<#ty>));
            let docs = doc_attrs(&[body.description.as_deref(), Some("Sets the request body.")]);
            setters.push(quote! {
                #docs
                pub fn body(mut self, body: impl Into<#ty>) -> Self {
                    self.body = Some(body.into());
                    self
                }
            });
        }
    }
    (fields, setters)
}

/// The builder struct, its methods, and the operation's response enums.
pub fn builder(
    op: &Operation,
    owner_path: &TokenStream,
    starter_path: &str,
    paths: &Paths<'_>,
    types: &[TypeDef],
) -> TokenStream {
    let builder = ident(&op.builder_name);
    let (mut fields, mut setters) = parameter_fields(op, owner_path, paths);

    let polvo = paths.polvo();
    fields.extend([quote!(call_options: #polvo::CallOptions), quote!(extras: #polvo::__private::Extras)]);
    setters.push(quote! {
        /// Settings for this call only (retries, timeouts), in place of the client's.
        pub fn with_options(mut self, options: #polvo::CallOptions) -> Self {
            self.call_options = options;
            self
        }
    });
    setters.push(super::escape_hatches::setters(polvo));
    let success = outcome_type(&op.responses.success_type, paths, true);
    let error = outcome_type(&op.responses.error_type, paths, false);
    let request = super::escape_hatches::into_request_and_send_raw(polvo, owner_path, request_code(op, paths, types));
    let arms = response_arms(op);
    let builder_doc = format!(" A request to {}, sent by [`send`](Self::send).", starter_link(starter_path, op));
    let enums = if op.emits_outcomes { outcome_enums(op, paths, starter_path) } else { TokenStream::new() };
    let pagination = super::pagination::methods(op, &error, paths);
    let streaming = super::streaming::methods(op, &error, paths, types);

    quote! {
        #[doc = #builder_doc]
        #[derive(Clone, Debug)]
        #[must_use = "a request does nothing until it is sent with `.send().await`"]
        pub struct #builder {
            #(#fields,)*
        }

        impl #builder {
            #(#setters)*

            /// Sends the request and decodes the response body.
            pub async fn send(self) -> Result<#success, #polvo::Error<#error>> {
                self.send_response().await.map(#polvo::Response::into_body)
            }

            /// Sends the request and returns the decoded body with the status and headers.
            pub async fn send_response(self) -> Result<#polvo::Response<#success>, #polvo::Error<#error>> {
                let (client, request) = self.into_request()?;
                let response = client.core.send(request).await?;
                match response.status().as_u16() {
                    #(#arms)*
                }
            }

            #request

            #pagination

            #streaming
        }

        #enums
    }
}

fn starter_link(starter_path: &str, op: &Operation) -> String {
    format!(
        "[`{}`]({}::{})",
        op.method_name.trim_start_matches("r#"),
        starter_path,
        op.method_name.trim_start_matches("r#")
    )
}

fn outcome_type(outcome: &Outcome, paths: &Paths<'_>, success: bool) -> TokenStream {
    match outcome {
        Outcome::Nothing if success => quote!(()),
        Outcome::Nothing => {
            let polvo = paths.polvo();
            quote!(#polvo::NoErrorBody)
        }
        Outcome::Single(ty) => paths.ty(ty),
        Outcome::Optional(ty) => {
            let ty = paths.ty(ty);
            quote!(Option<#ty>)
        }
        Outcome::Enum { name, .. } => {
            let name = ident(name);
            quote!(#name)
        }
    }
}

/// The statements that build `request`.
pub(super) fn request_code(op: &Operation, paths: &Paths<'_>, types: &[TypeDef]) -> TokenStream {
    let method = format_ident!("{}", op.http_method);
    let polvo = paths.polvo();
    let path = path_expr(op, polvo);
    let mut statements = Vec::new();
    for p in &op.params {
        let name = ident(&p.rust_name);
        let wire = &p.wire_name;
        let call = match (p.location, p.json, p.style, p.explode) {
            (ParamLocation::Path, ..) => continue,
            (ParamLocation::Query, true, ..) => quote!(query_json),
            (ParamLocation::Query, false, QueryStyle::Form, true) => quote!(query),
            (ParamLocation::Query, false, QueryStyle::Form, false) => quote!(query_unexploded),
            (ParamLocation::Query, false, QueryStyle::DeepObject, _) => quote!(query_deep_object),
            (ParamLocation::Query, false, QueryStyle::SpaceDelimited, _) => quote!(query_space_delimited),
            (ParamLocation::Query, false, QueryStyle::PipeDelimited, _) => quote!(query_pipe_delimited),
            (ParamLocation::Header, ..) => quote!(header),
            (ParamLocation::Cookie, ..) => quote!(cookie),
        };
        statements.push(quote!(request.#call(#wire, &self.#name);));
    }
    if let Some(body) = &op.body {
        let content_type = &body.content_type;
        let value = if body.required { quote!(self.body) } else { quote!(body) };
        let send = match &body.encoding {
            BodyEncoding::Json if content_type == "application/json" => quote!(request.json(&#value);),
            BodyEncoding::Json => quote!(request.json_as(&#value, #content_type);),
            BodyEncoding::Form { deep_object } => quote!(request.form(&#value, &[#(#deep_object),*]);),
            BodyEncoding::Text => quote!(request.text(#value, #content_type);),
            BodyEncoding::Bytes => quote!(request.binary(#value, #content_type);),
            BodyEncoding::Multipart => multipart_code(&body.ty, &value, paths, types),
        };
        let by_ref = matches!(body.encoding, BodyEncoding::Json | BodyEncoding::Form { .. });
        if body.required {
            statements.push(send);
        } else if by_ref {
            statements.push(quote!(if let Some(body) = &self.body { #send }));
        } else {
            statements.push(quote!(if let Some(body) = self.body { #send }));
        }
    }
    // After the spec's parameters and body, which a hand-set body replaces;
    // before `Accept`, so a hand-set `Accept` is kept.
    statements.push(quote!(self.extras.apply(&mut request);));
    if !op.responses.accept.is_empty() {
        // Built at compile time: the entries are visible ASCII (see
        // `model::operations::media::accept_entry`), which `from_static` takes.
        let accept = op.responses.accept.join(", ");
        statements.push(quote!(request.accept(const { #polvo::__private::HeaderValue::from_static(#accept) });));
    }
    if let Some(security) = super::auth::security_statement(&op.security) {
        statements.push(security);
    }
    if let Some(header) = &op.idempotency_header {
        statements.push(quote!(request.idempotency_header(#header);));
    }
    let template = &op.path;
    quote! {
        let mut request = self.client.core.request(#polvo::__private::Method::#method, #path);
        #(#statements)*
        request.operation(#template, self.call_options);
    }
}

/// The multipart form for a body: one part per property, files for binary ones.
fn multipart_code(ty: &TypeRef, value: &TokenStream, paths: &Paths<'_>, types: &[TypeDef]) -> TokenStream {
    let polvo = paths.polvo();
    let def = match ty {
        TypeRef::Named(id) => match &types[*id].kind {
            TypeKind::Struct(def) => Some(def),
            _ => None,
        },
        _ => None,
    };
    let Some(def) = def else {
        return quote! {
            request.multipart(#polvo::__private::Multipart::from_object(&#value));
        };
    };
    let parts = def.fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        let wire = &f.wire_name;
        let inner = match &f.ty {
            TypeRef::Option(inner) => inner.as_ref(),
            other => other,
        };
        match inner {
            TypeRef::Binary => quote!(form.file(#wire, #value.#field);),
            TypeRef::Vec(item) if **item == TypeRef::Binary => quote!(form.files(#wire, #value.#field);),
            _ => quote!(form.part(#wire, &#value.#field);),
        }
    });
    let additional = def.additional.as_ref().map(|extra| {
        let field = ident(&extra.field);
        quote! {
            for (name, value) in &#value.#field {
                form.part(name, value);
            }
        }
    });
    quote! {
        let mut form = #polvo::__private::Multipart::new();
        #(#parts)*
        #additional
        request.multipart(form);
    }
}

/// The request's path: its template with the path parameters encoded.
fn path_expr(op: &Operation, polvo: &TokenStream) -> TokenStream {
    let mut template = String::new();
    let mut args = Vec::new();
    for (index, part) in op.path_parts.iter().enumerate() {
        match part {
            PathPart::Literal(text) => template.push_str(&text.replace('{', "{{").replace('}', "}}")),
            PathPart::Param(i) => {
                template.push_str("{}");
                let param = &op.params[*i];
                let (name, wire) = (ident(&param.rust_name), &param.wire_name);
                // Empty, `.` and `..` are refused where they could make the
                // segment empty, `.` or `..`: the path would change.
                args.push(if segment_has_text(&op.path_parts, index) {
                    quote!(#polvo::__private::path_part(#wire, &self.#name)?)
                } else {
                    quote!(#polvo::__private::path_segment(#wire, &self.#name)?)
                });
            }
        }
    }
    if args.is_empty() { quote!(String::from(#template)) } else { quote!(format!(#template, #(#args),*)) }
}

/// Whether the path segment holding the part at `index` has literal text
/// other than dots (`/files/{name}.json`), so that it stays a segment of
/// its own whatever its parameters' values are.
fn segment_has_text(parts: &[PathPart], index: usize) -> bool {
    let has_text = |text: &str| text.chars().any(|c| c != '.');
    for part in parts[..index].iter().rev() {
        if let PathPart::Literal(text) = part {
            let (tail, ends) = match text.rfind('/') {
                Some(i) => (&text[i + 1..], true),
                None => (text.as_str(), false),
            };
            if has_text(tail) {
                return true;
            }
            if ends {
                break;
            }
        }
    }
    for part in &parts[index + 1..] {
        if let PathPart::Literal(text) = part {
            let (head, ends) = match text.find(['/', '?']) {
                Some(i) => (&text[..i], true),
                None => (text.as_str(), false),
            };
            if has_text(head) {
                return true;
            }
            if ends {
                break;
            }
        }
    }
    false
}

/// The `match` arms that decode each documented status. An arm that would
/// do the same as the range or fallback arm after it is left out.
fn response_arms(op: &Operation) -> Vec<TokenStream> {
    let r = &op.responses;
    // Ranges: (low, high, decode), in the order they are matched.
    let mut ranges: Vec<(u16, u16, TokenStream)> = Vec::new();
    let mut codes: Vec<(u16, TokenStream)> = Vec::new();
    for resp in &r.success {
        let decode = success_decode(resp, &r.success_type, op);
        match resp.status {
            StatusMatch::Code(c) => codes.push((c, decode)),
            StatusMatch::Class(_) | StatusMatch::Default => ranges.push((200, 299, decode)),
        }
    }
    if !ranges.iter().any(|(lo, _, _)| *lo == 200) {
        // A 2xx the spec did not list decodes like the first documented success.
        let decode = match r.success.first() {
            Some(first) => success_decode(first, &r.success_type, op),
            None => quote!(response.empty(())),
        };
        ranges.push((200, 299, decode));
    }
    let fallback = error_decodes(op, &mut codes, &mut ranges);
    let mut arms = status_arms(&codes, &ranges, &fallback);
    arms.push(quote!(_ => #fallback,));
    arms
}

/// Adds the decoding of each documented error status to `codes` and
/// `ranges`; returns that of any other status (`default`, else the
/// undecoded error).
pub(super) fn error_decodes(
    op: &Operation,
    codes: &mut Vec<(u16, TokenStream)>,
    ranges: &mut Vec<(u16, u16, TokenStream)>,
) -> TokenStream {
    let r = &op.responses;
    let mut fallback = quote!(response.error());
    for resp in &r.errors {
        let decode = error_decode(resp, &r.error_type);
        match resp.status {
            StatusMatch::Code(c) => codes.push((c, decode)),
            StatusMatch::Class(class) => ranges.push((class * 100, class * 100 + 99, decode)),
            StatusMatch::Default => fallback = decode,
        }
    }
    fallback
}

/// The match arms for single codes, then ranges, in that order; an arm
/// that would decode as the range or fallback after it does is left out.
pub(super) fn status_arms(
    codes: &[(u16, TokenStream)],
    ranges: &[(u16, u16, TokenStream)],
    fallback: &TokenStream,
) -> Vec<TokenStream> {
    let mut arms = Vec::new();
    for (code, decode) in codes {
        let otherwise = ranges.iter().find(|(lo, hi, _)| lo <= code && code <= hi).map_or(fallback, |(_, _, d)| d);
        if otherwise.to_string() != decode.to_string() {
            let c = Literal::u16_unsuffixed(*code);
            arms.push(quote!(#c => #decode,));
        }
    }
    for (lo, hi, decode) in ranges {
        if decode.to_string() != fallback.to_string() {
            let (lo, hi) = (Literal::u16_unsuffixed(*lo), Literal::u16_unsuffixed(*hi));
            arms.push(quote!(#lo..=#hi => #decode,));
        }
    }
    arms
}

fn success_decode(resp: &Response, outcome: &Outcome, op: &Operation) -> TokenStream {
    let variant = resp.variant.as_ref().map(|v| {
        let name = match outcome {
            Outcome::Enum { name, .. } => ident(name),
            _ => ident(&op.builder_name),
        };
        let v = ident(v);
        quote!(#name::#v)
    });
    match (outcome, &resp.body, variant) {
        (Outcome::Enum { .. }, ResponseBody::Empty, Some(v)) => quote!(response.empty(#v)),
        (Outcome::Enum { .. }, ResponseBody::Json(_), Some(v)) => quote!(response.json_map(#v)),
        (Outcome::Enum { .. }, ResponseBody::Text, Some(v)) => quote!(response.text_map(#v)),
        (Outcome::Enum { .. }, ResponseBody::Bytes, Some(v)) => quote!(response.bytes_map(#v)),
        (Outcome::Optional(_), ResponseBody::Empty, _) => quote!(response.empty(None)),
        (Outcome::Optional(_), ResponseBody::Json(_), _) => quote!(response.json_map(Some)),
        (Outcome::Optional(_), ResponseBody::Text, _) => quote!(response.text_map(Some)),
        (Outcome::Optional(_), ResponseBody::Bytes, _) => quote!(response.bytes_map(Some)),
        (Outcome::Single(_), ResponseBody::Json(_), _) => quote!(response.json()),
        (Outcome::Single(_), ResponseBody::Text, _) => quote!(response.text()),
        (Outcome::Single(_), ResponseBody::Bytes, _) => quote!(response.bytes()),
        _ => quote!(response.empty(())),
    }
}

fn error_decode(resp: &Response, outcome: &Outcome) -> TokenStream {
    let variant = match (outcome, &resp.variant) {
        (Outcome::Enum { name, .. }, Some(v)) => {
            let (name, v) = (ident(name), ident(v));
            Some(quote!(#name::#v))
        }
        _ => None,
    };
    match (&resp.body, variant) {
        (ResponseBody::Empty, _) => quote!(response.error()),
        (ResponseBody::Json(_), Some(v)) => quote!(response.error_json_map(#v)),
        (ResponseBody::Text, Some(v)) => quote!(response.error_text_map(#v)),
        (ResponseBody::Bytes, Some(v)) => quote!(response.error_bytes_map(#v)),
        (ResponseBody::Json(_), None) => quote!(response.error_json()),
        (ResponseBody::Text, None) => quote!(response.error_text()),
        (ResponseBody::Bytes, None) => quote!(response.error_bytes()),
    }
}

/// The success and error enums, when the operation has them.
fn outcome_enums(op: &Operation, paths: &Paths<'_>, starter_path: &str) -> TokenStream {
    let mut out = TokenStream::new();
    let link = starter_link(starter_path, op);
    for (outcome, responses, what) in [
        (&op.responses.success_type, &op.responses.success, "successful responses"),
        (&op.responses.error_type, &op.responses.errors, "documented error responses"),
    ] {
        let Outcome::Enum { name, variants } = outcome else { continue };
        let name = ident(name);
        let doc = format!(" The {what} of {link}.");
        let variants = variants.iter().map(|(variant, payload)| {
            let statuses: Vec<String> = responses
                .iter()
                .filter(|r| r.variant.as_deref() == Some(variant.as_str()))
                .map(|r| match (&r.status, &r.description) {
                    (s, Some(d)) => format!("{}: {}", status_text(s), one_line(d)),
                    (s, None) => status_text(s),
                })
                .collect();
            let docs = doc_attrs(&[Some(&statuses.join("\n\n"))]);
            let v = ident(variant);
            match payload {
                Some(ty) => {
                    let ty = paths.ty(ty);
                    quote!(#docs #v(#ty),)
                }
                None => quote!(#docs #v,),
            }
        });
        out.extend(quote! {
            #[doc = #doc]
            #[derive(Clone, Debug, PartialEq)]
            pub enum #name {
                #(#variants)*
            }
        });
    }
    out
}

fn status_text(status: &StatusMatch) -> String {
    match status {
        StatusMatch::Code(c) => format!("`{c}`"),
        StatusMatch::Class(c) => format!("`{c}XX`"),
        StatusMatch::Default => "Any other status".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{PathPart, segment_has_text};

    fn parts(template: &[&str]) -> Vec<PathPart> {
        template
            .iter()
            .enumerate()
            .map(|(i, text)| if text.is_empty() { PathPart::Param(i) } else { PathPart::Literal((*text).to_owned()) })
            .collect()
    }

    #[test]
    fn a_segment_with_text_keeps_any_parameter_value() {
        // "" stands for a parameter.
        let file = parts(&["/files/", "", ".json"]);
        assert!(segment_has_text(&file, 1));
        let prefixed = parts(&["/v", "", "/items"]);
        assert!(segment_has_text(&prefixed, 1));
        let whole = parts(&["/items/", "", "/photo"]);
        assert!(!segment_has_text(&whole, 1));
        let last = parts(&["/items/", ""]);
        assert!(!segment_has_text(&last, 1));
        let dots = parts(&["/versions/", "", ".", ""]);
        assert!(!segment_has_text(&dots, 1) && !segment_has_text(&dots, 3));
        let query = parts(&["/items/", "", "?x=1"]);
        assert!(!segment_has_text(&query, 1));
        let text_in_another_segment = parts(&["/a.json/", "", "/b"]);
        assert!(!segment_has_text(&text_in_another_segment, 1));
    }
}
