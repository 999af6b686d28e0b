//! A frontend client (a browser or an app) and what it holds: its sign-up and its sessions.

use chrono::{DateTime, Utc};

use std::collections::BTreeMap;

use super::organization::OrganizationClaim;
use super::session::{Session, SessionStatus};
use super::sign_in::SignIn;
use super::sign_up::SignUp;

/// The name of the cookie that holds a browser's client token for `instance_id`: one per
/// instance, so that two instances on one site keep their own clients.
pub fn cookie_name(instance_id: &str) -> String {
    format!("__client_{instance_id}")
}

/// A client as its actor holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct Client {
    pub id: String,
    pub instance_id: String,
    pub last_active_session_id: Option<String>,
    /// The newest sign-up of the client, when it has one.
    pub sign_up: Option<SignUp>,
    /// The newest sign-in of the client, when it has one.
    pub sign_in: Option<SignIn>,
    /// Its sessions, oldest first.
    pub sessions: Vec<Session>,
    /// What the tokens of each active session with an active organization say of it (`o`),
    /// by session id: held so that a token refresh reads nothing.
    pub organizations: BTreeMap<String, OrganizationClaim>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Client {
    /// Whether any session of the client is active at `now`.
    pub fn signed_in_at(&self, now: DateTime<Utc>) -> bool {
        self.sessions
            .iter()
            .any(|s| s.status_at(now) == SessionStatus::Active)
    }
}
