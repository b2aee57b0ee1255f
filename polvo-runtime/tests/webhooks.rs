//! Webhook signature vectors built from the vendors' documented
//! algorithms. The expected signatures come from the small HMAC below
//! (RFC 2104 over SHA-256, itself checked against RFC 4231), not from the
//! code under test.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, HeaderValue, Method};
use polvo_runtime::webhooks::{GitHub, HubSpot, Stripe, WebhookError};
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// HMAC-SHA256 written out from RFC 2104.
fn reference_hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let inner_key: Vec<u8> = block.iter().map(|b| b ^ 0x36).collect();
    let outer_key: Vec<u8> = block.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new().chain_update(&inner_key).chain_update(message).finalize();
    Sha256::new().chain_update(&outer_key).chain_update(inner).finalize().into()
}

#[test]
fn the_reference_hmac_matches_rfc_4231() {
    let mac = reference_hmac(b"Jefe", b"what do ya want for nothing?");
    assert_eq!(hex::encode(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    let long_key = [0xaa; 131];
    let mac = reference_hmac(&long_key, b"Test Using Larger Than Block-Size Key - Hash Key First");
    assert_eq!(hex::encode(mac), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

fn at(unix_secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(unix_secs)
}

fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(*name, HeaderValue::from_str(value).unwrap());
    }
    map
}

mod stripe {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const NOW: u64 = 1_700_000_000;
    const PAYLOAD: &[u8] = br#"{"id":"evt_1","type":"charge.succeeded"}"#;

    fn sign(secret: &str, t: u64, payload: &[u8]) -> String {
        let mut signed = format!("{t}.").into_bytes();
        signed.extend_from_slice(payload);
        hex::encode(reference_hmac(secret.as_bytes(), &signed))
    }

    fn verifier() -> Stripe {
        Stripe::new(SECRET.into()).with_clock(|| at(NOW))
    }

    fn header(value: String) -> HeaderMap {
        headers(&[("Stripe-Signature", value)])
    }

    #[test]
    fn a_signed_payload_is_accepted() {
        let value = format!("t={},v1={},v0=deadbeef", NOW - 10, sign(SECRET, NOW - 10, PAYLOAD));
        verifier().verify(&header(value), PAYLOAD).unwrap();
    }

    #[test]
    fn any_of_several_v1_signatures_may_match() {
        // During a secret roll Stripe signs with the old and new secrets.
        let value = format!("t={NOW},v1={},v1={}", sign("whsec_old", NOW, PAYLOAD), sign(SECRET, NOW, PAYLOAD));
        verifier().verify(&header(value), PAYLOAD).unwrap();
    }

    #[test]
    fn a_tampered_payload_is_rejected() {
        let value = format!("t={NOW},v1={}", sign(SECRET, NOW, PAYLOAD));
        let tampered = br#"{"id":"evt_1","type":"charge.refunded"}"#;
        let err = verifier().verify(&header(value), tampered).unwrap_err();
        assert_eq!(err, WebhookError::SignatureMismatch { header: "stripe-signature" });
    }

    #[test]
    fn another_secret_is_rejected() {
        let value = format!("t={NOW},v1={}", sign("whsec_other", NOW, PAYLOAD));
        let err = verifier().verify(&header(value), PAYLOAD).unwrap_err();
        assert!(matches!(err, WebhookError::SignatureMismatch { .. }), "{err}");
    }

    #[test]
    fn a_stale_timestamp_is_rejected_even_when_signed() {
        let t = NOW - 301;
        let value = format!("t={t},v1={}", sign(SECRET, t, PAYLOAD));
        let err = verifier().verify(&header(value.clone()), PAYLOAD).unwrap_err();
        assert_eq!(
            err,
            WebhookError::StaleTimestamp { header: "stripe-signature", age_secs: 301, tolerance_secs: 300 }
        );
        // A wider tolerance accepts it.
        verifier().tolerance(Duration::from_secs(600)).verify(&header(value), PAYLOAD).unwrap();
    }

    #[test]
    fn a_timestamp_far_in_the_future_is_rejected() {
        let t = NOW + 3600;
        let value = format!("t={t},v1={}", sign(SECRET, t, PAYLOAD));
        let err = verifier().verify(&header(value), PAYLOAD).unwrap_err();
        assert!(matches!(err, WebhookError::StaleTimestamp { age_secs: -3600, .. }), "{err}");
    }

    #[test]
    fn a_changed_timestamp_breaks_the_signature() {
        // Replaying an old event with a fresh `t` does not verify.
        let value = format!("t={NOW},v1={}", sign(SECRET, NOW - 1000, PAYLOAD));
        let err = verifier().verify(&header(value), PAYLOAD).unwrap_err();
        assert!(matches!(err, WebhookError::SignatureMismatch { .. }), "{err}");
    }

    #[test]
    fn missing_and_malformed_headers_say_what_is_wrong() {
        let err = verifier().verify(&HeaderMap::new(), PAYLOAD).unwrap_err();
        assert_eq!(err, WebhookError::MissingHeader { header: "stripe-signature" });
        for (value, reason) in [
            (format!("v1={}", sign(SECRET, NOW, PAYLOAD)), "it has no `t` timestamp"),
            (format!("t={NOW}"), "it has no `v1` signature"),
            (format!("t={NOW},v1=not-hex"), "a `v1` signature is not hex"),
            (format!("t=soon,v1={}", sign(SECRET, NOW, PAYLOAD)), "`t` is not a number of seconds"),
            ("garbage".to_owned(), "an entry is not `key=value`"),
        ] {
            let err = verifier().verify(&header(value.clone()), PAYLOAD).unwrap_err();
            assert_eq!(err, WebhookError::MalformedHeader { header: "stripe-signature", reason }, "{value}");
        }
    }

    #[test]
    fn errors_and_debug_never_show_the_secret() {
        let value = format!("t={NOW},v1={}", sign("whsec_other", NOW, PAYLOAD));
        let err = verifier().verify(&header(value), PAYLOAD).unwrap_err();
        assert!(!err.to_string().contains(SECRET));
        assert!(!format!("{:?}", verifier()).contains(SECRET));
    }
}

mod hubspot {
    use super::*;

    const SECRET: &str = "hubspot-client-secret";
    const NOW: u64 = 1_700_000_000;
    const URI: &str = "https://example.com/webhooks/hubspot?portal=42";
    const BODY: &[u8] = br#"[{"eventId":1,"subscriptionType":"contact.creation"}]"#;

    /// The documented source string: method, URI, body, timestamp.
    fn sign(secret: &str, method: &str, uri: &str, body: &[u8], timestamp_ms: u64) -> String {
        let mut source = format!("{method}{uri}").into_bytes();
        source.extend_from_slice(body);
        source.extend_from_slice(timestamp_ms.to_string().as_bytes());
        STANDARD.encode(reference_hmac(secret.as_bytes(), &source))
    }

    fn request(signature: String, timestamp_ms: u64) -> HeaderMap {
        headers(&[("X-HubSpot-Signature-v3", signature), ("X-HubSpot-Request-Timestamp", timestamp_ms.to_string())])
    }

    fn verifier() -> HubSpot {
        HubSpot::new(SECRET.into()).with_clock(|| at(NOW))
    }

    #[test]
    fn a_signed_request_is_accepted() {
        let ts = NOW * 1000 - 60_000;
        let headers = request(sign(SECRET, "POST", URI, BODY, ts), ts);
        verifier().verify(&Method::POST, URI, &headers, BODY).unwrap();
    }

    #[test]
    fn the_uri_is_signed_with_the_listed_escapes_decoded() {
        let ts = NOW * 1000;
        let sent = "https://example.com/hook%3Fa%3Ab%2Cc%20d";
        let headers = request(sign(SECRET, "POST", "https://example.com/hook?a:b,c%20d", BODY, ts), ts);
        verifier().verify(&Method::POST, sent, &headers, BODY).unwrap();
    }

    #[test]
    fn a_tampered_body_method_or_uri_is_rejected() {
        let ts = NOW * 1000;
        let headers = request(sign(SECRET, "POST", URI, BODY, ts), ts);
        let mismatch = WebhookError::SignatureMismatch { header: "x-hubspot-signature-v3" };
        assert_eq!(verifier().verify(&Method::POST, URI, &headers, b"[]").unwrap_err(), mismatch);
        assert_eq!(verifier().verify(&Method::GET, URI, &headers, BODY).unwrap_err(), mismatch);
        let other_uri = "https://example.com/webhooks/hubspot?portal=43";
        assert_eq!(verifier().verify(&Method::POST, other_uri, &headers, BODY).unwrap_err(), mismatch);
    }

    #[test]
    fn another_secret_is_rejected() {
        let ts = NOW * 1000;
        let headers = request(sign("other", "POST", URI, BODY, ts), ts);
        let err = verifier().verify(&Method::POST, URI, &headers, BODY).unwrap_err();
        assert!(matches!(err, WebhookError::SignatureMismatch { .. }), "{err}");
    }

    #[test]
    fn a_request_older_than_five_minutes_is_rejected() {
        let ts = NOW * 1000 - 300_001;
        let headers = request(sign(SECRET, "POST", URI, BODY, ts), ts);
        let err = verifier().verify(&Method::POST, URI, &headers, BODY).unwrap_err();
        assert_eq!(
            err,
            WebhookError::StaleTimestamp { header: "x-hubspot-request-timestamp", age_secs: 300, tolerance_secs: 300 }
        );
    }

    #[test]
    fn missing_and_malformed_headers_say_which() {
        let ts = NOW * 1000;
        let only_timestamp = headers(&[("X-HubSpot-Request-Timestamp", ts.to_string())]);
        let err = verifier().verify(&Method::POST, URI, &only_timestamp, BODY).unwrap_err();
        assert_eq!(err, WebhookError::MissingHeader { header: "x-hubspot-signature-v3" });
        let only_signature = headers(&[("X-HubSpot-Signature-v3", sign(SECRET, "POST", URI, BODY, ts))]);
        let err = verifier().verify(&Method::POST, URI, &only_signature, BODY).unwrap_err();
        assert_eq!(err, WebhookError::MissingHeader { header: "x-hubspot-request-timestamp" });
        let bad = headers(&[("X-HubSpot-Signature-v3", "!!!".into()), ("X-HubSpot-Request-Timestamp", ts.to_string())]);
        let err = verifier().verify(&Method::POST, URI, &bad, BODY).unwrap_err();
        assert_eq!(err, WebhookError::MalformedHeader { header: "x-hubspot-signature-v3", reason: "it is not base64" });
    }
}

mod github {
    use super::*;

    const SECRET: &str = "It's a Secret to Everybody";

    #[test]
    fn githubs_documented_example_verifies() {
        // GitHub's docs: this secret and payload give this signature.
        let expected = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert_eq!(hex::encode(reference_hmac(SECRET.as_bytes(), b"Hello, World!")), expected);
        let signed = headers(&[("X-Hub-Signature-256", format!("sha256={expected}"))]);
        GitHub::new(SECRET.into()).verify(&signed, b"Hello, World!").unwrap();
    }

    #[test]
    fn a_tampered_body_or_another_secret_is_rejected() {
        let signature = hex::encode(reference_hmac(SECRET.as_bytes(), b"Hello, World!"));
        let signed = headers(&[("X-Hub-Signature-256", format!("sha256={signature}"))]);
        let mismatch = WebhookError::SignatureMismatch { header: "x-hub-signature-256" };
        assert_eq!(GitHub::new(SECRET.into()).verify(&signed, b"Hello, World?").unwrap_err(), mismatch);
        assert_eq!(GitHub::new("another".into()).verify(&signed, b"Hello, World!").unwrap_err(), mismatch);
    }

    #[test]
    fn missing_and_malformed_headers_say_what_is_wrong() {
        let verifier = GitHub::new(SECRET.into());
        let err = verifier.verify(&HeaderMap::new(), b"{}").unwrap_err();
        assert_eq!(err, WebhookError::MissingHeader { header: "x-hub-signature-256" });
        let sha1 = headers(&[("X-Hub-Signature-256", "sha1=abcd".into())]);
        let err = verifier.verify(&sha1, b"{}").unwrap_err();
        assert_eq!(
            err,
            WebhookError::MalformedHeader { header: "x-hub-signature-256", reason: "it does not start with `sha256=`" }
        );
        let not_hex = headers(&[("X-Hub-Signature-256", "sha256=zz".into())]);
        let err = verifier.verify(&not_hex, b"{}").unwrap_err();
        assert_eq!(
            err,
            WebhookError::MalformedHeader { header: "x-hub-signature-256", reason: "the signature is not hex" }
        );
    }
}
