//! The password policy: length bounds, the 10,000 most common passwords, and no password equal
//! to the person's own email address or username.
//!
//! The list (`common_passwords.txt`) is the first 10,000 entries, by frequency, of the list Django
//! ships as `django/contrib/auth/common-passwords.txt.gz` (BSD-3-Clause), itself from Royce
//! Williams' compilation of breached passwords.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::settings::PasswordSettings;
use crate::{Error, Result};

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common_passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
});

/// The identifiers a password must not equal.
#[derive(Clone, Copy, Debug, Default)]
pub struct OwnIdentifiers<'a> {
    pub email_address: Option<&'a str>,
    pub username: Option<&'a str>,
}

/// Refuses a password longer than the policy allows: checked before anything else looks at a
/// password (a 10 kB password is refused, never hashed), new or given at sign-in.
pub fn check_max_length(password: &str, policy: &PasswordSettings) -> Result<()> {
    let max = usize::try_from(policy.max_length).unwrap_or(usize::MAX);
    if password.chars().count() > max {
        return Err(Error::validation(
            "password",
            format!("a password may have at most {max} characters"),
        ));
    }
    Ok(())
}

/// Checks a new password against the policy.
pub fn check(password: &str, policy: &PasswordSettings, own: OwnIdentifiers<'_>) -> Result<()> {
    check_max_length(password, policy)?;
    let min = usize::try_from(policy.min_length).unwrap_or(usize::MAX);
    if password.chars().count() < min {
        return Err(Error::PasswordTooWeak(format!(
            "a password needs at least {min} characters"
        )));
    }
    let lowered = password.to_lowercase();
    let own_matches = [own.email_address, own.username]
        .into_iter()
        .flatten()
        .any(|identifier| !identifier.is_empty() && identifier.to_lowercase() == lowered);
    if own_matches {
        return Err(Error::PasswordTooWeak(
            "a password must not be your email address or username".to_owned(),
        ));
    }
    if policy.reject_compromised && COMMON.contains(lowered.as_str()) {
        return Err(Error::PasswordCompromised);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn code(password: &str, own: OwnIdentifiers<'_>) -> Option<ErrorCode> {
        check(password, &PasswordSettings::default(), own)
            .err()
            .map(|e| e.code())
    }

    #[test]
    fn the_list_holds_ten_thousand_common_passwords() {
        assert_eq!(COMMON.len(), 10_000);
        for common in [
            "password",
            "iloveyou",
            "12345678",
            "Password1",
            "qwertyuiop",
        ] {
            assert_eq!(
                code(common, OwnIdentifiers::default()),
                Some(ErrorCode::PasswordCompromised),
                "{common}"
            );
        }
    }

    #[test]
    fn length_bounds_and_own_identifiers() {
        let none = OwnIdentifiers::default();
        assert_eq!(code("short", none), Some(ErrorCode::PasswordTooWeak));
        assert_eq!(
            code(&"x".repeat(129), none),
            Some(ErrorCode::ValidationFailed)
        );
        assert_eq!(code("correct horse battery staple", none), None);
        let own = OwnIdentifiers {
            email_address: Some("Jane@Example.com"),
            username: Some("janedoe99"),
        };
        assert_eq!(
            code("jane@example.com", own),
            Some(ErrorCode::PasswordTooWeak)
        );
        assert_eq!(code("JaneDoe99", own), Some(ErrorCode::PasswordTooWeak));
        let lax = PasswordSettings {
            reject_compromised: false,
            ..PasswordSettings::default()
        };
        assert!(check("password", &lax, none).is_ok());
    }
}
