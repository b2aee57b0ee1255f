//! `.send_events()` and `.send_stream()` on the builders of operations
//! whose successful answer is server-sent events or binary: the same
//! request as `send()`, with the answer's body handed over as it arrives
//! instead of read whole. They are methods of their own, next to `send()`
//! (which keeps returning the whole body the spec describes), so that the
//! return type says what the caller holds: a stream to poll.

use proc_macro2::TokenStream;
use quote::quote;

use super::operations::{error_decodes, request_code, status_arms};
use super::paths::Paths;
use crate::model::{EventData, Operation, TypeDef};

/// The streaming methods of an operation's builder; nothing when its
/// answer is neither events nor binary. `error` is its error type.
pub fn methods(op: &Operation, error: &TokenStream, paths: &Paths<'_>, types: &[TypeDef]) -> TokenStream {
    let polvo = paths.polvo();
    let mut out = TokenStream::new();
    if let Some(data) = &op.streaming.events {
        let (item, open) = match data {
            EventData::Json(ty) => (paths.ty(ty), quote!(json_events)),
            EventData::Text => (quote!(String), quote!(text_events)),
        };
        let mut events_op = op.clone();
        events_op.responses.accept = op.streaming.events_accept.clone();
        let request = request_code(&events_op, paths, types);
        let errors = error_statements(op, polvo);
        out.extend(quote! {
            /// Sends the request and returns the server-sent events of the answer
            /// as they arrive, each with its data decoded. An error status ends the
            /// call before any event, as with `send()`; retries stop once the
            /// answer's head arrives.
            pub async fn send_events(self) -> Result<#polvo::EventStream<#item, #error>, #polvo::Error<#error>> {
                #request
                let response = match self.client.core.send_streaming(request).await? {
                    #polvo::__private::StreamedResponse::Open(body) => return Ok(body.#open()),
                    #polvo::__private::StreamedResponse::Whole(response) => response,
                };
                #errors
            }
        });
    }
    if op.streaming.download {
        let request = request_code(op, paths, types);
        let errors = error_statements(op, polvo);
        out.extend(quote! {
            /// Sends the request and returns the answer with its body as a stream
            /// of chunks, read as they arrive and never held whole (for large
            /// downloads). An error status ends the call, as with `send()`.
            pub async fn send_stream(self) -> Result<#polvo::Download<#error>, #polvo::Error<#error>> {
                #request
                let response = match self.client.core.send_streaming(request).await? {
                    #polvo::__private::StreamedResponse::Open(body) => return Ok(body.download()),
                    #polvo::__private::StreamedResponse::Whole(response) => response,
                };
                #errors
            }
        });
    }
    out
}

/// The statements that turn a non-2xx answer (`response`, read whole)
/// into the call's error, decoded as `send()` decodes it. An arm that
/// would do the same as the range or fallback arm after it is left out.
fn error_statements(op: &Operation, polvo: &TokenStream) -> TokenStream {
    let (mut codes, mut ranges) = (Vec::new(), Vec::new());
    let fallback = error_decodes(op, &mut codes, &mut ranges);
    let arms = status_arms(&codes, &ranges, &fallback);
    let decoded = if arms.is_empty() {
        fallback
    } else {
        quote! {
            match response.status().as_u16() {
                #(#arms)*
                _ => #fallback,
            }
        }
    };
    quote!(Err(#polvo::__private::only_error(#decoded)))
}
