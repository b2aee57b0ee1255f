//! Which tenants can be used with tokens.
//!
//! A tenant becomes part of a token-store key and, for installation tokens,
//! one segment of a URL path. URL parsing collapses the segments `.` and
//! `..` (and an empty one leaves `//`), so such a tenant would reach
//! another path: `…/installations/../access_tokens` is
//! `…/access_tokens`. They are refused wherever a tenant is used.

use super::error::AuthError;

/// Refuses a tenant that is empty, `.` or `..`.
pub(crate) fn check(tenant: &str) -> Result<(), AuthError> {
    if crate::encode::collapsing_segment(tenant).is_none() {
        return Ok(());
    }
    let reason = match tenant {
        "" => "a tenant must not be empty",
        _ => "a tenant must not be `.` or `..`, which URL paths collapse into another path",
    };
    Err(AuthError::InvalidTenant { tenant: tenant.to_owned(), reason: reason.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_dot_segments_are_refused_and_others_kept() {
        for bad in ["", ".", ".."] {
            let err = check(bad).unwrap_err();
            assert!(matches!(&err, AuthError::InvalidTenant { tenant, .. } if tenant == bad), "{err}");
        }
        assert_eq!(
            check("..").unwrap_err().to_string(),
            "the tenant `..` cannot be used: a tenant must not be `.` or `..`, which URL paths collapse into another path"
        );
        for good in ["default", "...", "a.b", "../x", "%2e%2e", " "] {
            check(good).unwrap_or_else(|e| panic!("{good:?}: {e}"));
        }
    }
}
