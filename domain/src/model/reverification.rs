//! Step-up: the account changes that ask for a recently verified factor, how recent a session's
//! factors are (the `fva` claim), and what a reverification still needs. Pure: time comes in.

use chrono::{DateTime, Duration, Utc};

use super::session::Session;
use super::verification::Verification;
use crate::{Error, Result};

/// The signed-in user's operations that need a recent verification (`REVERIFICATION_REQUIRED`
/// otherwise): the one list, each with the GraphQL field that runs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sensitive {
    DisableTotp,
    CreateTotp,
    CreateBackupCodes,
    CreateEmailAddress,
    SetPrimaryEmailAddress,
    DeleteEmailAddress,
    DeleteMe,
    RevokeMySession,
    /// `updatePassword` of a user who has no password yet (one who has gives the current one).
    SetFirstPassword,
}

impl Sensitive {
    /// Every guarded operation.
    pub const ALL: [Self; 9] = [
        Self::DisableTotp,
        Self::CreateTotp,
        Self::CreateBackupCodes,
        Self::CreateEmailAddress,
        Self::SetPrimaryEmailAddress,
        Self::DeleteEmailAddress,
        Self::DeleteMe,
        Self::RevokeMySession,
        Self::SetFirstPassword,
    ];

    /// The GraphQL field that runs it.
    pub fn field(self) -> &'static str {
        match self {
            Self::DisableTotp => "disableTotp",
            Self::CreateTotp => "createTotp",
            Self::CreateBackupCodes => "createBackupCodes",
            Self::CreateEmailAddress => "createEmailAddress",
            Self::SetPrimaryEmailAddress => "setPrimaryEmailAddress",
            Self::DeleteEmailAddress => "deleteEmailAddress",
            Self::DeleteMe => "deleteMe",
            Self::RevokeMySession => "revokeMySession",
            Self::SetFirstPassword => "updatePassword",
        }
    }
}

/// How a reverification proves a factor again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// The password (a first factor).
    Password,
    /// A code mailed to the primary email address (a first factor).
    EmailCode,
    /// A code from the authenticator app (a second factor).
    Totp,
    /// One of the backup codes (a second factor).
    BackupCode,
}

impl Strategy {
    /// Whether it proves the second factor (otherwise the first).
    pub fn is_second_factor(self) -> bool {
        matches!(self, Self::Totp | Self::BackupCode)
    }
}

/// The email code a reverification waits for: where it was sent (its budget of wrong codes is
/// that address's), and the code's verification.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeChallenge {
    pub email_address: String,
    pub verification: Verification,
}

/// What a session still needs before a sensitive change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Both factors the user has were verified within the window.
    Complete,
    /// The first factor was not verified within the window.
    NeedsFirstFactor,
    /// The first was, but the user has a second factor that was not.
    NeedsSecondFactor,
}

/// Whether `at` lies less than `window_seconds` before `now` (a time after `now`, another node's
/// clock ahead, counts as recent).
fn recent(at: DateTime<Utc>, window_seconds: u32, now: DateTime<Utc>) -> bool {
    now < at + Duration::seconds(i64::from(window_seconds))
}

/// Where `session` stands for a sensitive change at `now`: its first factor, and its second
/// when the user has one (`second_factor_enabled`), verified within `window_seconds`.
pub fn status(
    session: &Session,
    second_factor_enabled: bool,
    window_seconds: u32,
    now: DateTime<Utc>,
) -> Status {
    if !recent(session.first_factor_verified_at, window_seconds, now) {
        return Status::NeedsFirstFactor;
    }
    let second = session
        .second_factor_verified_at
        .is_some_and(|at| recent(at, window_seconds, now));
    if second_factor_enabled && !second {
        return Status::NeedsSecondFactor;
    }
    Status::Complete
}

/// Until when the session's verification lets sensitive changes through, if it does now.
pub fn complete_until(
    session: &Session,
    second_factor_enabled: bool,
    window_seconds: u32,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if status(session, second_factor_enabled, window_seconds, now) != Status::Complete {
        return None;
    }
    let window = Duration::seconds(i64::from(window_seconds));
    let first = session.first_factor_verified_at + window;
    Some(match session.second_factor_verified_at {
        Some(second) if second_factor_enabled => first.min(second + window),
        _ => first,
    })
}

/// Refuses a sensitive change unless `status` is complete.
pub fn require(status: Status) -> Result<()> {
    match status {
        Status::Complete => Ok(()),
        Status::NeedsFirstFactor => Err(Error::ReverificationRequired(
            "this change needs your password or an email code again: attemptReverification",
        )),
        Status::NeedsSecondFactor => Err(Error::ReverificationRequired(
            "this change needs your second factor again: attemptReverification",
        )),
    }
}

/// The `fva` claim: whole minutes since the first factor and since the second (`-1`: never in
/// this session) were verified.
pub fn factor_ages(session: &Session, now: DateTime<Utc>) -> [i64; 2] {
    let minutes = |at: DateTime<Utc>| (now - at).num_minutes().max(0);
    [
        minutes(session.first_factor_verified_at),
        session.second_factor_verified_at.map_or(-1, minutes),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use crate::model::settings::SessionSettings;

    fn t(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    fn session() -> Session {
        Session::start(
            "s".into(),
            "i".into(),
            "c".into(),
            "u".into(),
            &SessionSettings::default(),
            t(0),
        )
    }

    #[test]
    fn the_first_factor_is_recent_for_the_window() {
        let s = session();
        assert_eq!(status(&s, false, 600, t(599)), Status::Complete);
        assert_eq!(status(&s, false, 600, t(600)), Status::NeedsFirstFactor);
        assert_eq!(complete_until(&s, false, 600, t(10)), Some(t(600)));
        assert_eq!(complete_until(&s, false, 600, t(600)), None);
        assert!(require(status(&s, false, 600, t(0))).is_ok());
        assert_eq!(
            require(status(&s, false, 600, t(700))).unwrap_err().code(),
            ErrorCode::ReverificationRequired
        );
    }

    #[test]
    fn a_user_with_a_second_factor_needs_both() {
        let s = session();
        assert_eq!(status(&s, true, 600, t(1)), Status::NeedsSecondFactor);
        let both = session().with_second_factor(t(100));
        assert_eq!(status(&both, true, 600, t(500)), Status::Complete);
        // The first factor lapses first.
        assert_eq!(complete_until(&both, true, 600, t(500)), Some(t(600)));
        assert_eq!(status(&both, true, 600, t(650)), Status::NeedsFirstFactor);
        let later = Session {
            first_factor_verified_at: t(650),
            ..both
        };
        assert_eq!(status(&later, true, 600, t(700)), Status::NeedsSecondFactor);
        // Without a second factor, an old one does not matter.
        assert_eq!(status(&later, false, 600, t(700)), Status::Complete);
    }

    #[test]
    fn fva_counts_whole_minutes_and_minus_one_for_no_second_factor() {
        let s = session();
        assert_eq!(factor_ages(&s, t(59)), [0, -1]);
        assert_eq!(factor_ages(&s, t(150)), [2, -1]);
        let both = session().with_second_factor(t(60));
        assert_eq!(factor_ages(&both, t(60 * 11)), [11, 10]);
        // A time ahead of the clock is no negative age.
        assert_eq!(factor_ages(&both, t(-30)), [0, 0]);
    }

    #[test]
    fn each_guarded_operation_is_listed_once() {
        let mut fields: Vec<&str> = Sensitive::ALL.iter().map(|s| s.field()).collect();
        fields.sort_unstable();
        fields.dedup();
        assert_eq!(fields.len(), Sensitive::ALL.len());
        assert!(Strategy::Totp.is_second_factor() && !Strategy::EmailCode.is_second_factor());
    }
}
