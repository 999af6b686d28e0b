//! An API key as stored (never its value), what a new one may be, and when one is good.

use chrono::{DateTime, Utc};

use crate::{Error, Result};

/// API keys start with this.
pub const API_KEY_PREFIX: &str = "ak_";
/// The longest an API key may live: ten years.
const MAX_LIFETIME_SECONDS: u64 = 10 * 365 * 86_400;

/// An API key as stored (never its value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKey {
    pub id: String,
    pub instance_id: String,
    pub name: String,
    /// Whom it acts for: a user id, or any name of a service.
    pub subject: String,
    pub scopes: Vec<String>,
    /// The last four characters of the key.
    pub hint: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A key just created: the only moment its value exists outside the caller.
#[derive(Clone)]
pub struct CreatedApiKey {
    pub key: ApiKey,
    pub secret: String,
}

impl std::fmt::Debug for CreatedApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedApiKey")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// What a new key is for.
#[derive(Clone, Debug, Default)]
pub struct NewApiKey {
    pub name: String,
    pub subject: String,
    pub scopes: Vec<String>,
    pub expires_in_seconds: Option<u64>,
}

/// Why an API key was refused; `reason()` is what `verifyToken` answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiKeyRejection {
    NotFound,
    Revoked,
    Expired,
}

impl ApiKeyRejection {
    /// The `reason` of a failed `verifyToken`.
    pub fn reason(self) -> &'static str {
        match self {
            Self::NotFound => "api-key-not-found",
            Self::Revoked => "api-key-revoked",
            Self::Expired => "token-expired",
        }
    }
}

pub(crate) fn check(new: &NewApiKey) -> Result<()> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 128 {
        return Err(Error::validation("name", "1 to 128 characters"));
    }
    let subject_ok = !new.subject.is_empty()
        && new.subject.len() <= 128
        && new
            .subject
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.:@".contains(&b));
    if !subject_ok {
        return Err(Error::validation(
            "subject",
            "1 to 128 letters, digits or _ - . : @ (a user id such as user_…, or a service's name)",
        ));
    }
    if new.scopes.len() > 50 {
        return Err(Error::validation("scopes", "at most 50 scopes"));
    }
    for (i, scope) in new.scopes.iter().enumerate() {
        let ok = !scope.is_empty()
            && scope.len() <= 64
            && scope
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-.:".contains(&b));
        if !ok {
            return Err(Error::validation(
                format!("scopes.{i}"),
                "1 to 64 letters, digits or _ - . :",
            ));
        }
    }
    if let Some(seconds) = new.expires_in_seconds
        && !(60..=MAX_LIFETIME_SECONDS).contains(&seconds)
    {
        return Err(Error::validation(
            "expiresInSeconds",
            format!("from 60 to {MAX_LIFETIME_SECONDS} seconds"),
        ));
    }
    Ok(())
}

impl ApiKey {
    /// Whether the key is good at `now`.
    pub fn check_at(&self, now: DateTime<Utc>) -> std::result::Result<(), ApiKeyRejection> {
        if self.revoked_at.is_some() {
            return Err(ApiKeyRejection::Revoked);
        }
        if self.expires_at.is_some_and(|at| now >= at) {
            return Err(ApiKeyRejection::Expired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn new(subject: &str, scopes: &[&str], expires: Option<u64>) -> NewApiKey {
        NewApiKey {
            name: "ci".into(),
            subject: subject.into(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            expires_in_seconds: expires,
        }
    }

    #[test]
    fn what_a_key_may_be() {
        assert!(check(&new("user_1", &["read:invoices"], Some(3600))).is_ok());
        assert!(check(&new("", &[], None)).is_err());
        assert!(check(&new("user 1", &[], None)).is_err());
        assert!(check(&new("svc", &["bad scope"], None)).is_err());
        assert!(check(&new("svc", &[], Some(10))).is_err());
        let many: Vec<String> = (0..51).map(|i| format!("s{i}")).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(check(&new("svc", &refs, None)).is_err());
    }

    #[test]
    fn a_key_is_good_until_revoked_or_expired() {
        let t = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let mut key = ApiKey {
            id: "ak_1".into(),
            instance_id: "ins_1".into(),
            name: "ci".into(),
            subject: "svc".into(),
            scopes: vec![],
            hint: "abcd".into(),
            expires_at: Some(t + Duration::seconds(60)),
            revoked_at: None,
            created_at: t,
        };
        assert_eq!(key.check_at(t + Duration::seconds(59)), Ok(()));
        assert_eq!(
            key.check_at(t + Duration::seconds(60)),
            Err(ApiKeyRejection::Expired)
        );
        key.revoked_at = Some(t);
        assert_eq!(key.check_at(t), Err(ApiKeyRejection::Revoked));
    }
}
