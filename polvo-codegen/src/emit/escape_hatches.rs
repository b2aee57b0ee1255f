//! The escape hatches of every request builder, for a spec that is wrong
//! about its API: query parameters, headers and bodies it forgot, and the
//! response as received, undecoded.

use proc_macro2::TokenStream;
use quote::quote;

/// `.query()`, `.header()`, `.json_body()` and `.body_bytes()`.
pub fn setters(polvo: &TokenStream) -> TokenStream {
    quote! {
        /// Adds a query parameter the spec does not document: the way around
        /// a spec that forgot one. `form` style, exploded (a list sends
        /// `name=a&name=b`); `None` sends nothing. It comes after the spec's
        /// parameters, which it does not replace.
        pub fn query(mut self, name: &str, value: impl #polvo::__private::serde::Serialize) -> Self {
            self.extras.query(name, &value);
            self
        }

        /// Adds a header the spec does not document: the way around a spec
        /// that forgot one. `simple` style (a list sends `a,b`); `None` sends
        /// nothing. Credentials polvo applies to the operation win: a
        /// header of the same name (`Authorization`, an API key's) is
        /// replaced by them. A hand-set `Accept` is kept.
        pub fn header(mut self, name: &str, value: impl #polvo::__private::serde::Serialize) -> Self {
            self.extras.header(name, &value);
            self
        }

        /// Sends `body` as JSON (`application/json`) in place of the spec's
        /// body, if it has one: the way around a spec that forgot the body
        /// or has it wrong.
        pub fn json_body(mut self, body: impl #polvo::__private::serde::Serialize) -> Self {
            self.extras.json_body(&body);
            self
        }

        /// Sends `bytes` with the media type `content_type` in place of the
        /// spec's body, if it has one: the way around a spec that forgot the
        /// body or has it wrong. The bytes are sent again on a retry.
        pub fn body_bytes(mut self, bytes: impl Into<#polvo::Bytes>, content_type: &str) -> Self {
            self.extras.body_bytes(bytes, content_type);
            self
        }
    }
}

/// `.send_raw()`, and `into_request()`, which it and `send_response()`
/// start with: the statements `request` build the request.
pub fn into_request_and_send_raw(polvo: &TokenStream, owner: &TokenStream, request: TokenStream) -> TokenStream {
    quote! {
        /// The request for the client's pipeline, and the client.
        fn into_request(self) -> Result<(#owner, #polvo::__private::Request), #polvo::RequestError> {
            #request
            Ok((self.client, request))
        }

        /// Sends the request and returns the response as received: status,
        /// headers and body bytes, not decoded, whatever the status (a `500`
        /// is a response here, not an error). For a spec that is wrong
        /// about a response. Credentials, retries, redirects and the
        /// client's limits apply as for [`send`](Self::send); transport,
        /// credential and hook failures are still errors.
        pub async fn send_raw(self) -> Result<#polvo::RawResponse, #polvo::Error<#polvo::NoErrorBody>> {
            let (client, request) = self.into_request()?;
            Ok(client.core.send(request).await?)
        }
    }
}
