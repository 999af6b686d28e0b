//! Identifiers a person signs up with: email addresses and usernames, checked and normalized.

use crate::{Error, Result};

/// The longest email address accepted (RFC 5321 path limit).
pub const MAX_EMAIL_LENGTH: usize = 254;
/// The longest first or last name accepted, in characters.
pub const MAX_NAME_LENGTH: usize = 256;

/// An email address as given (trimmed), and the lowercased form that makes it unique per instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailAddress {
    pub address: String,
    pub normalized: String,
}

/// Checks and normalizes an email address: trimmed; a local part of 1–64 characters without
/// spaces, controls or quotes; a domain of dot-separated labels of letters, digits and hyphens.
pub fn email_address(input: &str) -> Result<EmailAddress> {
    let address = input.trim();
    let invalid = || Error::validation("emailAddress", "is not a valid email address");
    if address.is_empty() || address.len() > MAX_EMAIL_LENGTH {
        return Err(invalid());
    }
    let (local, domain) = address.rsplit_once('@').ok_or_else(invalid)?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| {
            c.is_ascii_graphic()
                && !matches!(
                    c,
                    '"' | '(' | ')' | ',' | ':' | ';' | '<' | '>' | '@' | '[' | '\\' | ']'
                )
        });
    let domain_ok = domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if !local_ok || !domain_ok {
        return Err(invalid());
    }
    Ok(EmailAddress {
        address: address.to_owned(),
        normalized: address.to_ascii_lowercase(),
    })
}

impl EmailAddress {
    /// Whether this is a development test address (`…+latchkey_test@…`): on development
    /// instances it takes the fixed code and is sent nothing.
    pub fn is_test_address(&self) -> bool {
        self.normalized
            .rsplit_once('@')
            .is_some_and(|(local, _)| local.ends_with("+latchkey_test"))
    }
}

/// Checks a username: 4–64 characters of `[a-z0-9_-]` (given in any case, kept lowercase).
pub fn username(input: &str) -> Result<String> {
    let username = input.trim().to_ascii_lowercase();
    let length = username.chars().count();
    if !(4..=64).contains(&length) {
        return Err(Error::validation("username", "must be 4 to 64 characters"));
    }
    if !username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
    {
        return Err(Error::validation(
            "username",
            "may hold only letters, digits, _ and -",
        ));
    }
    Ok(username)
}

/// Checks a first or last name: trimmed, at most 256 characters, no control characters.
pub fn name(field: &str, input: &str) -> Result<String> {
    let name = input.trim();
    if name.chars().count() > MAX_NAME_LENGTH {
        return Err(Error::validation(
            field,
            format!("must be at most {MAX_NAME_LENGTH} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::validation(field, "must not hold control characters"));
    }
    Ok(name.to_owned())
}

/// `j***@example.com`: enough to recognize an address, not to learn it.
pub fn masked_email(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_are_trimmed_checked_and_normalized() {
        let email = email_address("  Jane.Doe+tag@Example.COM ").unwrap();
        assert_eq!(email.address, "Jane.Doe+tag@Example.COM");
        assert_eq!(email.normalized, "jane.doe+tag@example.com");
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a b@example.com",
            "a@exa mple.com",
            "a..b@example.com",
            "a@-example.com",
            "a@example..com",
            "\"a\"@example.com",
            "a@b@example.com",
        ] {
            assert!(email_address(bad).is_err(), "{bad:?}");
        }
        assert!(email_address(&format!("{}@example.com", "a".repeat(65))).is_err());
        assert!(email_address(&format!("a@{}.com", "b".repeat(250))).is_err());
    }

    #[test]
    fn usernames_are_4_to_64_of_a_small_alphabet() {
        assert_eq!(username("Jane_Doe-1").unwrap(), "jane_doe-1");
        for bad in ["abc", "with space", "dots.not", "émile", &"a".repeat(65)] {
            assert!(username(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names_are_bounded() {
        assert_eq!(name("firstName", "  Ada ").unwrap(), "Ada");
        assert!(name("firstName", &"x".repeat(257)).is_err());
        assert!(name("lastName", "a\u{0}b").is_err());
    }

    #[test]
    fn masking_keeps_the_first_letter_and_the_domain() {
        assert_eq!(masked_email("jane@example.com"), "j***@example.com");
    }

    #[test]
    fn test_addresses_are_recognized_by_their_suffix() {
        assert!(
            email_address("Jane+Latchkey_Test@example.com")
                .unwrap()
                .is_test_address()
        );
        assert!(!email_address("jane@example.com").unwrap().is_test_address());
        assert!(
            !email_address("jane+latchkey_test_x@example.com")
                .unwrap()
                .is_test_address()
        );
    }
}
