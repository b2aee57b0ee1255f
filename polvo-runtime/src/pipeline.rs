//! How a call runs, in order:
//!
//! 1. checks: a request that could not be built, or that would carry
//!    credentials over plain http, ends here with nothing sent;
//! 2. credentials: the operation's, applied once for the call (a 401 with
//!    a renewable token renews them once);
//! 3. rate limit, before each attempt: the client's, the tenant's and the
//!    operation's quotas (as many cells as the call's cost), and the wait
//!    the API's `X-RateLimit-*` headers asked for;
//! 4. retry: attempts until one succeeds, the answer is not retryable, the
//!    retries or the call's time run out; an idempotency key is generated
//!    first when the operation has one;
//! 5. hooks, around every request to the API's origin;
//! 6. transport: reqwest, through the user's `reqwest-middleware` layers.
//!
//! A `tracing` span (`polvo.call`) covers the whole call.

use http::HeaderValue;
use std::time::{Duration, Instant};
use tracing::Instrument;

use crate::auth::Applied;
use crate::auth::spec::KeyLocation;
use crate::client::ClientCore;
use crate::error::RequestError;
use crate::options::CallSettings;
use crate::redirect::{self, Hop};
use crate::request::{Request, SendError};
use crate::retry;
use crate::stream::{Answer, Reading, StreamError};
use crate::transport::{Attempt, Credentials, Ended};

/// Runs `request` through the pipeline and reads the response as
/// `reading` says: whole, or only the head of a 2xx to be streamed.
pub(crate) async fn call<R: Reading>(core: &ClientCore, request: Request, reading: R) -> Result<R::Output, SendError> {
    let span = tracing::info_span!(
        target: "polvo",
        "polvo.call",
        method = %request.method,
        path = request.template,
        status = tracing::field::Empty,
        attempts = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    );
    let started = Instant::now();
    let mut attempts = 0;
    // Boxed: the pipeline's nested futures take kilobytes, and a call
    // future that held them inline would be copied whole each time it
    // moves (into `.await`, a join, a spawned task). One allocation buys a
    // call future of a few hundred bytes.
    let run = Box::pin(run(core, request, reading, &mut attempts));
    // A span no subscriber wants is not entered and left on every poll.
    let result = if span.is_disabled() { run.await } else { run.instrument(span.clone()).await };
    if !span.is_disabled() {
        let status = match &result {
            Ok(response) => Some(response.status()),
            Err(SendError::TooLarge { status, .. }) => Some(*status),
            Err(_) => None,
        };
        if let Some(status) = status {
            span.record("status", status.as_u16());
        }
        span.record("attempts", attempts);
        span.record("duration_ms", started.elapsed().as_secs_f64() * 1e3);
    }
    result
}

/// The checks, the credentials and the attempts; `attempts` counts the
/// attempts made.
async fn run<R: Reading>(
    core: &ClientCore,
    mut request: Request,
    reading: R,
    attempts: &mut u32,
) -> Result<R::Output, SendError> {
    if let Some(e) = request.error.take() {
        return Err(SendError::Request(e));
    }
    // Before any credential is applied, so no token is fetched (or
    // rotated) for a request that cannot be sent.
    refuse_plain_http(core, &request)?;
    let settings = request.options.over(core.call_settings());
    let has_key = idempotency_key(&mut request)?;
    let replay_safe = retry::replay_safe(&request.method, has_key);
    let (mut credentials, mut applied) = credentials(core, &request).await?;
    credentials.replace_same_named(&mut request);
    // From the first request on: token requests have their own timeout.
    let deadline = settings.timeout.map(|timeout| Instant::now() + timeout);
    let limits = core.rate_limits();
    loop {
        *attempts += 1;
        if limits.is_active() {
            let operation = (&request.method, request.template);
            // Boxed: only a client with rate limits waits here.
            Box::pin(limits.until_ready(core.tenant_key(), operation, settings.rate_limit_cost, deadline))
                .await
                .map_err(|e| SendError::Request(RequestError::RateLimitCost { cost: e.cost, burst: e.burst }))?;
        }
        let outcome =
            attempt(core, &request, (&mut credentials, &mut applied), settings, (deadline, reading), *attempts).await;
        if let Ok(response) = &outcome {
            limits.observe(core.tenant_key(), response.headers());
        }
        // A streamed body whose sending began cannot be sent again.
        let retries_left = replay_safe && !request.body_consumed() && *attempts <= settings.retry.retries();
        let Some(wait) = retries_left.then(|| retry_wait(&outcome, &settings, *attempts)).flatten() else {
            return outcome;
        };
        if deadline.is_some_and(|deadline| Instant::now() + wait >= deadline) {
            tracing::debug!(attempt = *attempts, "not retrying: the call's time would run out");
            return outcome;
        }
        tracing::debug!(attempt = *attempts, wait_ms = wait.as_millis() as u64, reason = %reason(&outcome), "retrying");
        drop(outcome);
        tokio::time::sleep(wait).await;
    }
}

/// One attempt, and its resend after a 401 with a renewable token.
async fn attempt<R: Reading>(
    core: &ClientCore,
    request: &Request,
    (credentials, applied): (&mut Credentials, &mut Vec<Applied>),
    settings: CallSettings,
    (call_deadline, reading): (Option<Instant>, R),
    number: u32,
) -> Result<R::Output, SendError> {
    let own_deadline = settings.attempt_timeout.map(|timeout| Instant::now() + timeout);
    let deadline = match (call_deadline, own_deadline) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let base_url = core.base_url();
    let first = Hop::first(credentials.first_url(request.url(base_url))?, request.method.clone());
    let ended: Ended<R::Output> =
        Attempt { core, request, credentials, deadline, number, reading }.exchange_in_time(first, 0).await?;
    let Some(last) = ended.resend else { return Ok(ended.response) };
    if request.body_consumed() {
        tracing::debug!("401: not renewing the token, the request's streamed body cannot be sent again");
        return Ok(ended.response);
    }
    if !core.auth_state().expire(applied, core.tenant()) {
        return Ok(ended.response);
    }
    tracing::debug!("401 with a renewable token: renewing it and sending the last request once more");
    (*credentials, *applied) = self::credentials(core, request).await?;
    let again = match ended.followed {
        0 => Hop::first(credentials.first_url(request.url(base_url))?, request.method.clone()),
        _ => Hop { url: redirect::with_query_credentials(last.url, &credentials.query), ..last },
    };
    let attempt = Attempt { core, request, credentials, deadline, number, reading };
    Ok(attempt.exchange_in_time(again, ended.followed).await?.response)
}

/// How long to wait before retrying `outcome`, or `None` when it is not
/// retried: it succeeded, failed for good, or asked for a longer wait
/// than the policy allows.
fn retry_wait<O: Answer>(outcome: &Result<O, SendError>, settings: &CallSettings, attempts: u32) -> Option<Duration> {
    let headers = match outcome {
        Ok(response) if retry::retryable_status(response.status()) => Some(response.headers()),
        Err(SendError::Transport(e)) if retryable_transport(e) => None,
        Err(SendError::Timeout { .. } | SendError::Stream(StreamError::HeadTimeout)) => None,
        _ => return None,
    };
    settings.retry.wait(attempts - 1, headers, retry::jitter())
}

/// Whether a transport error may pass if tried again: a connection that
/// failed or broke, or an attempt that ran out of time. Not a request
/// reqwest could not build, nor a redirect loop.
fn retryable_transport(error: &reqwest::Error) -> bool {
    !(error.is_builder() || error.is_redirect() || error.is_status())
}

/// Why an attempt is retried, for the log.
fn reason<O: Answer>(outcome: &Result<O, SendError>) -> String {
    match outcome {
        Ok(response) => response.status().to_string(),
        Err(SendError::Transport(e)) if e.is_timeout() => "timed out".to_owned(),
        Err(SendError::Transport(e)) if e.is_connect() => "could not connect".to_owned(),
        Err(SendError::Timeout { .. } | SendError::Stream(StreamError::HeadTimeout)) => "timed out".to_owned(),
        Err(_) => "the connection failed".to_owned(),
    }
}

/// Puts a new idempotency key on a request whose operation takes one and
/// that has none yet (a caller's own key is kept). Returns whether the
/// request carries a key, so that it may be retried.
fn idempotency_key(request: &mut Request) -> Result<bool, SendError> {
    let Some(name) = request.idempotency_header.clone() else { return Ok(false) };
    if !request.headers.contains_key(&name) {
        let key = uuid::Uuid::new_v4().hyphenated().to_string();
        let value = HeaderValue::from_str(&key)
            .map_err(|_| SendError::Request(RequestError::InvalidHeader { name: name.to_string() }))?;
        request.headers.insert(name, value);
    }
    Ok(true)
}

/// Applies the operation's credentials.
async fn credentials(core: &ClientCore, request: &Request) -> Result<(Credentials, Vec<Applied>), SendError> {
    let mut credentials = Credentials::default();
    let Some(security) = request.security else { return Ok((credentials, Vec::new())) };
    let mut target = credentials.target();
    let state = core.auth_state();
    let applied = match state.apply_ready(security, core.tenant(), &mut target) {
        Some(applied) => applied,
        // Boxed: a token may have to be fetched or signed, and a call with
        // fixed credentials or a cached token would otherwise reserve room
        // for that.
        None => Box::pin(state.apply(security, core.tenant(), &mut target)).await,
    };
    Ok((credentials, applied.map_err(SendError::Auth)?))
}

/// Refuses a request for a plain-http base URL off loopback that would
/// carry credentials or the client's default headers (which may be
/// secrets), unless the client allows it. Decided before anything is
/// applied: an operation that requires credentials, or that would get the
/// ones the client has (optional ones included), is refused, and so is a
/// request that carries a credential of its own (see
/// [`carries_own_credentials`]).
fn refuse_plain_http(core: &ClientCore, request: &Request) -> Result<(), SendError> {
    let Some(origin) = core.insecure_origin() else { return Ok(()) };
    let carries_secrets = !core.default_headers().is_empty()
        || request.security.is_some_and(|alternatives| {
            let required = !alternatives.is_empty() && alternatives.iter().all(|requirement| !requirement.is_empty());
            required || core.auth_state().would_apply(alternatives)
        })
        || carries_own_credentials(core, request);
    if carries_secrets {
        return Err(SendError::Request(RequestError::InsecureUrl { origin: origin.to_owned() }));
    }
    Ok(())
}

/// Whether the request itself carries a credential, set by hand (an escape
/// hatch) or as a parameter of the spec: an `Authorization`,
/// `Proxy-Authorization` or `Cookie` header, or a header, query parameter
/// or cookie named like one of the service's API keys.
fn carries_own_credentials(core: &ClientCore, request: &Request) -> bool {
    const CREDENTIAL_HEADERS: [http::HeaderName; 3] =
        [http::header::AUTHORIZATION, http::header::PROXY_AUTHORIZATION, http::header::COOKIE];
    if CREDENTIAL_HEADERS.iter().any(|name| request.headers.contains_key(name)) {
        return true;
    }
    core.auth_state().api_keys().any(|(location, key)| match location {
        KeyLocation::Header => request.headers.keys().any(|name| name.as_str().eq_ignore_ascii_case(key)),
        KeyLocation::Query => request.query.iter().any(|(name, _)| name == key),
        KeyLocation::Cookie => request.cookies.iter().any(|(name, _)| name == key),
    })
}
