//! What the backend's `users` asks for: a filter, an order and a page, checked and normalized
//! before any SQL is built; and the search text a user is found by.

use chrono::{DateTime, Utc};

use crate::model::user::User;
use crate::{Error, Result};

/// The most users one page holds.
pub const MAX_LIMIT: i64 = 500;
/// A page's size when none is asked for.
pub const DEFAULT_LIMIT: i64 = 10;
/// The most values one list filter (`emailAddress`, `userId`, …) takes.
pub const MAX_FILTER_VALUES: usize = 100;
/// The longest `query`, in characters.
pub const MAX_QUERY_CHARS: usize = 256;
/// A `query` this long or longer is looked up in the trigram index; a shorter one is a scan.
pub const TRIGRAM_MIN_CHARS: usize = 3;

/// What users are ordered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserOrderField {
    CreatedAt,
    UpdatedAt,
    LastSignInAt,
    LastActiveAt,
    EmailAddress,
    Username,
    FirstName,
    LastName,
}

/// An order: a field and a direction (the user's id breaks ties in the same direction). A
/// missing value (never signed in, no username) sorts first ascending and last descending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserOrder {
    pub field: UserOrderField,
    pub descending: bool,
}

impl Default for UserOrder {
    /// Newest first.
    fn default() -> Self {
        Self {
            field: UserOrderField::CreatedAt,
            descending: true,
        }
    }
}

/// Which users: every condition given must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// Any of these email addresses (any case).
    pub email_addresses: Vec<String>,
    /// Any of these usernames (any case).
    pub usernames: Vec<String>,
    pub user_ids: Vec<String>,
    pub external_ids: Vec<String>,
    /// Members of any of these organizations.
    pub organization_ids: Vec<String>,
    pub banned: Option<bool>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    pub last_sign_in_after: Option<DateTime<Utc>>,
    pub last_sign_in_before: Option<DateTime<Utc>>,
    /// A case-insensitive part of a verified email address, username, first or last name, or
    /// the user's whole id (as written).
    pub query: Option<String>,
    /// The query as given (trimmed), for the id, whose case matters.
    pub query_as_given: Option<String>,
}

impl UserFilter {
    /// The filter normalized (lowercase identifiers, a trimmed lowercase query, an empty query
    /// dropped), or `VALIDATION_FAILED` for a list or query that is too long.
    pub fn checked(mut self) -> Result<Self> {
        for (field, values) in [
            ("filter.emailAddress", &self.email_addresses),
            ("filter.username", &self.usernames),
            ("filter.userId", &self.user_ids),
            ("filter.externalId", &self.external_ids),
            ("filter.organizationId", &self.organization_ids),
        ] {
            if values.len() > MAX_FILTER_VALUES {
                return Err(Error::validation(
                    field,
                    format!("takes at most {MAX_FILTER_VALUES} values"),
                ));
            }
        }
        for list in [&mut self.email_addresses, &mut self.usernames] {
            for value in list.iter_mut() {
                *value = value.trim().to_ascii_lowercase();
            }
        }
        for value in &mut self.external_ids {
            *value = value.trim().to_owned();
        }
        self.query_as_given = self
            .query
            .as_deref()
            .map(|q| q.trim().to_owned())
            .filter(|q| !q.is_empty());
        self.query = match self.query.take() {
            Some(query) => {
                let query = query.trim().to_lowercase();
                if query.chars().count() > MAX_QUERY_CHARS {
                    return Err(Error::validation(
                        "filter.query",
                        format!("must be at most {MAX_QUERY_CHARS} characters"),
                    ));
                }
                (!query.is_empty()).then_some(query)
            }
            None => None,
        };
        Ok(self)
    }
}

/// A page of a list: how many, after how many.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

impl Page {
    /// A page of `limit` (1–500, default 10) after `offset` (at least 0, default 0).
    pub fn new(limit: Option<i64>, offset: Option<i64>) -> Result<Self> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(Error::validation(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let offset = offset.unwrap_or(0);
        if offset < 0 {
            return Err(Error::validation("offset", "must not be negative"));
        }
        Ok(Self { limit, offset })
    }
}

/// What `query` matches parts of: `emails… username first last`, lowercase (first and last name
/// side by side, so "jane doe" finds Jane Doe). Only verified addresses: an address anyone may
/// add to their own account must not make them findable as its owner. The id is matched whole,
/// apart (its random letters would match short queries by chance).
pub fn search_text(user: &User) -> String {
    let emails: Vec<&str> = user
        .email_addresses
        .iter()
        .filter(|e| e.verified)
        .map(|e| e.email_address.as_str())
        .collect();
    [
        emails.join(" ").as_str(),
        user.username.as_deref().unwrap_or(""),
        user.first_name.as_deref().unwrap_or(""),
        user.last_name.as_deref().unwrap_or(""),
    ]
    .join(" ")
    .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_1_to_500_after_a_non_negative_offset() {
        assert_eq!(
            Page::new(None, None).unwrap(),
            Page {
                limit: 10,
                offset: 0
            }
        );
        assert_eq!(Page::new(Some(500), Some(7)).unwrap().limit, 500);
        for (limit, offset, field) in [
            (Some(0), None, "limit"),
            (Some(501), None, "limit"),
            (Some(10_000), None, "limit"),
            (Some(-1), None, "limit"),
            (None, Some(-1), "offset"),
        ] {
            match Page::new(limit, offset) {
                Err(Error::Validation { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{limit:?}/{offset:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn filters_are_normalized_and_bounded() {
        let filter = UserFilter {
            email_addresses: vec![" Jane@Example.COM ".into()],
            usernames: vec!["JaneD".into()],
            query: Some("  DoE ".into()),
            ..UserFilter::default()
        }
        .checked()
        .unwrap();
        assert_eq!(filter.email_addresses, ["jane@example.com"]);
        assert_eq!(filter.usernames, ["janed"]);
        assert_eq!(filter.query.as_deref(), Some("doe"));
        assert_eq!(filter.query_as_given.as_deref(), Some("DoE"));
        let blank = UserFilter {
            query: Some("   ".into()),
            ..UserFilter::default()
        };
        assert_eq!(blank.checked().unwrap().query, None);
        let long = UserFilter {
            query: Some("x".repeat(MAX_QUERY_CHARS + 1)),
            ..UserFilter::default()
        };
        assert!(long.checked().is_err());
        let many = UserFilter {
            user_ids: vec!["user_x".into(); MAX_FILTER_VALUES + 1],
            ..UserFilter::default()
        };
        match many.checked() {
            Err(Error::Validation { field, .. }) => assert_eq!(field, "filter.userId"),
            other => panic!("{other:?}"),
        }
    }
}
