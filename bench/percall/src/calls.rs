//! The calls under test: one operation made by each client, with nothing
//! but the client in between.

use futures_util::StreamExt;
use std::future::Future;
use std::time::Duration;

polvo::service!("spec.yaml", name = "api");

#[cfg(feature = "progenitor")]
mod generated {
    progenitor::generate_api!("spec.yaml");
}

const TOKEN: &str = "bench-token";
/// polvo's default call timeout.
const TIMEOUT: Duration = Duration::from_secs(60);

/// What is called.
#[derive(Clone, Copy, PartialEq)]
pub enum Case {
    /// `GET /contacts/{id}?limit=10`, one call at a time.
    SmallGet,
    /// The same GET with 64 calls in flight.
    Get64,
    /// `POST /contacts` with a small JSON body.
    PostJson,
}

impl Case {
    pub const ALL: [Case; 3] = [Case::SmallGet, Case::Get64, Case::PostJson];

    pub fn name(self) -> &'static str {
        match self {
            Case::SmallGet => "small GET",
            Case::Get64 => "GET, 64 in flight",
            Case::PostJson => "POST, JSON body",
        }
    }

    fn in_flight(self) -> usize {
        if self == Case::Get64 { 64 } else { 1 }
    }
}

/// Who calls.
#[derive(Clone, Copy, PartialEq)]
pub enum Variant {
    /// reqwest by hand: bearer header, status checked, JSON decoded.
    Raw,
    /// The same, with the 60 s timeout polvo sets on every call by default.
    RawTimeout,
    /// polvo with a bearer token.
    PolvoBearer,
    /// polvo with OAuth 2.0 and a cached access token.
    PolvoOAuth,
    /// A progenitor client, the bearer header set on its reqwest client.
    Progenitor,
}

impl Variant {
    pub const ALL: [Variant; 5] =
        [Variant::Raw, Variant::RawTimeout, Variant::PolvoBearer, Variant::PolvoOAuth, Variant::Progenitor];

    pub fn name(self) -> &'static str {
        match self {
            Variant::Raw => "raw reqwest",
            Variant::RawTimeout => "raw reqwest, 60 s timeout",
            Variant::PolvoBearer => "polvo, bearer",
            Variant::PolvoOAuth => "polvo, OAuth cached token",
            Variant::Progenitor => "progenitor",
        }
    }
}

/// The contact as a reqwest user would declare it.
#[derive(serde::Serialize, serde::Deserialize)]
struct Contact {
    id: String,
    email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

/// One client of each kind, all aimed at the same server.
pub struct Calls {
    base: String,
    raw: reqwest::Client,
    bearer: api::Client,
    oauth: api::Client,
    #[cfg(feature = "progenitor")]
    progenitor: generated::Client,
}

impl Calls {
    pub fn new(base: &str) -> Result<Self, Box<dyn std::error::Error>> {
        let bearer = api::Client::builder().base_url(base).credential(api::auth::bearer(TOKEN)).build()?;
        let oauth = api::Client::builder()
            .base_url(base)
            .credential(api::auth::oauth2("id").client_secret("s").tokens(polvo::auth::TokenSet::new(TOKEN)))
            .build()?;
        Ok(Calls {
            base: base.to_owned(),
            raw: reqwest::Client::new(),
            bearer,
            oauth,
            #[cfg(feature = "progenitor")]
            progenitor: progenitor_client(base)?,
        })
    }

    pub fn supports(&self, _case: Case, variant: Variant) -> bool {
        cfg!(feature = "progenitor") || variant != Variant::Progenitor
    }

    /// One call of each kind, so that a broken client panics before
    /// anything is measured.
    pub async fn check(&self) {
        for case in Case::ALL {
            for variant in Variant::ALL {
                if self.supports(case, variant) {
                    self.run(case, variant, 1).await;
                }
            }
        }
    }

    /// The size of each call's future, before it is first polled.
    pub fn future_sizes(&self) -> Vec<(&'static str, usize)> {
        #[allow(unused_mut)]
        let mut sizes = vec![
            ("raw reqwest GET", std::mem::size_of_val(&self.raw_get(None))),
            ("raw reqwest POST, JSON body", std::mem::size_of_val(&self.raw_post(None))),
            ("polvo GET, bearer", std::mem::size_of_val(&polvo_get(&self.bearer))),
            ("polvo GET, OAuth cached token", std::mem::size_of_val(&polvo_get(&self.oauth))),
            ("polvo POST, JSON body, bearer", std::mem::size_of_val(&polvo_post(&self.bearer))),
        ];
        #[cfg(feature = "progenitor")]
        sizes.extend([
            ("progenitor GET", std::mem::size_of_val(&self.progenitor.get_contact("42", Some(10)))),
            ("progenitor POST, JSON body", std::mem::size_of_val(&self.progenitor_post())),
        ]);
        sizes
    }

    /// Makes `n` calls, `case.in_flight()` at a time; panics on a failed call.
    pub async fn run(&self, case: Case, variant: Variant, n: u64) {
        let width = case.in_flight();
        let post = case == Case::PostJson;
        match (variant, post) {
            (Variant::Raw, false) => drive(n, width, || self.raw_get(None)).await,
            (Variant::Raw, true) => drive(n, width, || self.raw_post(None)).await,
            (Variant::RawTimeout, false) => drive(n, width, || self.raw_get(Some(TIMEOUT))).await,
            (Variant::RawTimeout, true) => drive(n, width, || self.raw_post(Some(TIMEOUT))).await,
            (Variant::PolvoBearer, false) => drive(n, width, || polvo_get(&self.bearer)).await,
            (Variant::PolvoBearer, true) => drive(n, width, || polvo_post(&self.bearer)).await,
            (Variant::PolvoOAuth, false) => drive(n, width, || polvo_get(&self.oauth)).await,
            (Variant::PolvoOAuth, true) => drive(n, width, || polvo_post(&self.oauth)).await,
            #[cfg(feature = "progenitor")]
            (Variant::Progenitor, false) => drive(n, width, || self.progenitor.get_contact("42", Some(10))).await,
            #[cfg(feature = "progenitor")]
            (Variant::Progenitor, true) => drive(n, width, || self.progenitor_post()).await,
            #[cfg(not(feature = "progenitor"))]
            (Variant::Progenitor, _) => unreachable!("progenitor is not built"),
        }
    }

    async fn raw_get(&self, timeout: Option<Duration>) -> Result<Contact, reqwest::Error> {
        let url = format!("{}/contacts/{}", self.base, "42");
        let mut request =
            self.raw.get(url).bearer_auth(TOKEN).header("accept", "application/json").query(&[("limit", 10)]);
        if let Some(timeout) = timeout {
            request = request.timeout(timeout);
        }
        request.send().await?.error_for_status()?.json().await
    }

    async fn raw_post(&self, timeout: Option<Duration>) -> Result<Contact, reqwest::Error> {
        let contact = Contact { id: "42".into(), email: "ada@example.com".into(), name: Some("Ada".into()) };
        let url = format!("{}/contacts", self.base);
        let mut request = self.raw.post(url).bearer_auth(TOKEN).header("accept", "application/json").json(&contact);
        if let Some(timeout) = timeout {
            request = request.timeout(timeout);
        }
        request.send().await?.error_for_status()?.json().await
    }

    #[cfg(feature = "progenitor")]
    async fn progenitor_post(&self) -> Result<generated::ResponseValue<generated::types::Contact>, generated::Error> {
        let contact =
            generated::types::Contact { id: "42".into(), email: "ada@example.com".into(), name: Some("Ada".into()) };
        self.progenitor.create_contact(&contact).await
    }
}

fn polvo_get(client: &api::Client) -> impl Future<Output = Result<impl Sized, impl std::fmt::Debug>> + '_ {
    client.get_contact("42").limit(10).send()
}

fn polvo_post(client: &api::Client) -> impl Future<Output = Result<impl Sized, impl std::fmt::Debug>> + '_ {
    let contact = api::types::Contact { id: "42".into(), email: "ada@example.com".into(), name: Some("Ada".into()) };
    client.create_contact(contact).send()
}

#[cfg(feature = "progenitor")]
fn progenitor_client(base: &str) -> Result<generated::Client, Box<dyn std::error::Error>> {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {TOKEN}").parse()?);
    let http = reqwest::Client::builder().default_headers(headers).build()?;
    Ok(generated::Client::new_with_client(base, http))
}

/// Runs `n` calls made by `call`, `width` at a time.
async fn drive<F, Fut, T, E>(n: u64, width: usize, call: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: std::fmt::Debug,
{
    let check = |result: Result<T, E>| {
        if let Err(error) = result {
            panic!("a benchmark call failed: {error:?}");
        }
    };
    if width == 1 {
        for _ in 0..n {
            check(call().await);
        }
    } else {
        let mut calls = futures_util::stream::iter((0..n).map(|_| call())).buffer_unordered(width);
        while let Some(result) = calls.next().await {
            check(result);
        }
    }
}
