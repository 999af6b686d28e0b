//! A session: a signed-in user on one client, with the lifetimes the instance's settings give.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::settings::SessionSettings;
use crate::{Error, Result};

/// Where a session stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionStatus {
    Active,
    Ended,
    Expired,
    Removed,
    Revoked,
}

impl SessionStatus {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Ended => "ended",
            Self::Expired => "expired",
            Self::Removed => "removed",
            Self::Revoked => "revoked",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(stored: &str) -> Result<Self> {
        match stored {
            "active" => Ok(Self::Active),
            "ended" => Ok(Self::Ended),
            "expired" => Ok(Self::Expired),
            "removed" => Ok(Self::Removed),
            "revoked" => Ok(Self::Revoked),
            other => Err(Error::internal(format!("unknown session status {other:?}"))),
        }
    }
}

/// A session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub instance_id: String,
    pub client_id: String,
    pub user_id: String,
    pub status: SessionStatus,
    pub last_active_at: DateTime<Utc>,
    /// When it expires for inactivity (or at its maximum lifetime, whichever is first).
    pub expire_at: DateTime<Utc>,
    /// When it ends whatever the activity: its maximum lifetime.
    pub abandon_at: DateTime<Utc>,
    pub last_active_organization_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the first factor (a password, an email code) was last verified in this session:
    /// at its start, or a reverification since.
    pub first_factor_verified_at: DateTime<Utc>,
    /// When the second factor (TOTP, a backup code) was last verified in this session, if ever.
    pub second_factor_verified_at: Option<DateTime<Utc>>,
    /// The browser, device and address it was started from, when the request told.
    pub latest_activity: Option<LatestActivity>,
}

/// The browser, device and IP address a session was used from (what a list of one's sessions
/// on every device shows).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LatestActivity {
    pub browser_name: Option<String>,
    pub browser_version: Option<String>,
    pub device_type: Option<String>,
    pub is_mobile: bool,
    pub ip_address: Option<String>,
}

/// Where a request came from, as the transport found it: read into a [`LatestActivity`] only
/// when one is recorded (a session started, or its activity written: at most once a minute).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestSource {
    pub user_agent: Option<String>,
    pub ip: Option<std::net::IpAddr>,
}

impl RequestSource {
    /// The browser, device and address this request tells.
    pub fn activity(&self) -> LatestActivity {
        let device = self
            .user_agent
            .as_deref()
            .map(super::user_agent::parse)
            .unwrap_or_default();
        LatestActivity {
            browser_name: device.browser_name,
            browser_version: device.browser_version,
            device_type: device.device_type,
            is_mobile: device.is_mobile,
            ip_address: self.ip.map(|ip| ip.to_string()),
        }
    }
}

impl Session {
    /// A new active session started at `now`, its first factor verified then (a sign-in that
    /// passed a second factor too sets that with [`Session::with_second_factor`]).
    pub fn start(
        id: String,
        instance_id: String,
        client_id: String,
        user_id: String,
        settings: &SessionSettings,
        now: DateTime<Utc>,
    ) -> Self {
        let far = now + Duration::days(3650);
        let abandon_at = settings
            .max_lifetime_seconds
            .map_or(far, |s| now + Duration::seconds(i64::from(s)));
        let expire_at = settings.inactivity_timeout_seconds.map_or(abandon_at, |s| {
            abandon_at.min(now + Duration::seconds(i64::from(s)))
        });
        Self {
            id,
            instance_id,
            client_id,
            user_id,
            status: SessionStatus::Active,
            last_active_at: now,
            expire_at,
            abandon_at,
            last_active_organization_id: None,
            created_at: now,
            updated_at: now,
            first_factor_verified_at: now,
            second_factor_verified_at: None,
            latest_activity: None,
        }
    }

    /// The session with its second factor verified at `at`.
    pub fn with_second_factor(self, at: DateTime<Utc>) -> Self {
        Self {
            second_factor_verified_at: Some(at),
            ..self
        }
    }

    /// The status at `now`: an active session past its expiry is `Expired`.
    pub fn status_at(&self, now: DateTime<Utc>) -> SessionStatus {
        if self.status == SessionStatus::Active && now >= self.expire_at {
            SessionStatus::Expired
        } else {
            self.status
        }
    }

    /// Whether a token issued at `now` is activity worth writing (see `touch`).
    pub fn activity_due(&self, now: DateTime<Utc>) -> bool {
        now >= self.last_active_at + Duration::seconds(ACTIVITY_WRITE_INTERVAL_SECONDS)
    }

    /// Records activity at `now` (a token issued): `lastActiveAt` moves, and with an inactivity
    /// timeout so does the expiry (never past the maximum lifetime). Gives whether anything
    /// worth writing changed: activity is recorded at most once a minute per session.
    pub fn touch(&mut self, settings: &SessionSettings, now: DateTime<Utc>) -> bool {
        if !self.activity_due(now) {
            return false;
        }
        self.last_active_at = now;
        if let Some(timeout) = settings.inactivity_timeout_seconds {
            self.expire_at = self
                .abandon_at
                .min(now + Duration::seconds(i64::from(timeout)));
        }
        self.updated_at = now;
        true
    }

    /// Ends the session (`signOut`). Only an active session can end.
    pub fn end(&mut self, now: DateTime<Utc>) -> Result<()> {
        if self.status_at(now) != SessionStatus::Active {
            return Err(Error::SessionNotActive);
        }
        self.status = SessionStatus::Ended;
        self.updated_at = now;
        Ok(())
    }
}

/// `lastActiveAt` is recorded at most this often per session.
pub const ACTIVITY_WRITE_INTERVAL_SECONDS: i64 = 60;

/// A session's activity, to be written behind (`store::activity`): its new `lastActiveAt`
/// and the expiry that follows from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activity {
    pub instance_id: String,
    pub session_id: String,
    pub user_id: String,
    pub last_active_at: DateTime<Utc>,
    pub expire_at: DateTime<Utc>,
    /// What the session was used from, when that changed (`None`: as stored).
    pub latest_activity: Option<LatestActivity>,
}

impl Activity {
    /// The activity `session` records now; `seen` when it was used from something new.
    pub fn of(session: &Session, seen: Option<LatestActivity>) -> Self {
        Self {
            instance_id: session.instance_id.clone(),
            session_id: session.id.clone(),
            user_id: session.user_id.clone(),
            last_active_at: session.last_active_at,
            expire_at: session.expire_at,
            latest_activity: seen,
        }
    }

    /// Keeps the later of two records of one session: times only move forward, and the newest
    /// device either of them saw is kept.
    pub fn merge(&mut self, mut other: Self) {
        if other.last_active_at > self.last_active_at {
            let seen = other.latest_activity.take().or(self.latest_activity.take());
            *self = other;
            self.latest_activity = seen;
        } else if self.latest_activity.is_none() {
            self.latest_activity = other.latest_activity;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    fn start(settings: &SessionSettings) -> Session {
        Session::start(
            "s".into(),
            "i".into(),
            "c".into(),
            "u".into(),
            settings,
            t(0),
        )
    }

    #[test]
    fn a_session_lives_for_its_maximum_lifetime() {
        let session = start(&SessionSettings::default());
        assert_eq!(session.abandon_at, t(7 * 86_400));
        assert_eq!(session.expire_at, session.abandon_at);
        assert_eq!(session.status_at(t(7 * 86_400 - 1)), SessionStatus::Active);
        assert_eq!(session.status_at(t(7 * 86_400)), SessionStatus::Expired);
    }

    #[test]
    fn activity_is_recorded_once_a_minute_and_extends_an_inactivity_timeout() {
        let settings = SessionSettings {
            inactivity_timeout_seconds: Some(3600),
            ..SessionSettings::default()
        };
        let mut session = start(&settings);
        assert!(!session.touch(&settings, t(59)));
        assert_eq!(session.last_active_at, t(0));
        assert!(session.touch(&settings, t(60)));
        assert_eq!(session.last_active_at, t(60));
        assert_eq!(session.expire_at, t(3660));
        // Never past the maximum lifetime.
        assert!(session.touch(&settings, t(7 * 86_400 - 100)));
        assert_eq!(session.expire_at, session.abandon_at);
        // Without an inactivity timeout the expiry stays.
        let mut session = start(&SessionSettings::default());
        assert!(session.touch(&SessionSettings::default(), t(600)));
        assert_eq!(session.expire_at, t(7 * 86_400));
    }

    #[test]
    fn activity_records_of_one_session_keep_the_latest() {
        let settings = SessionSettings {
            inactivity_timeout_seconds: Some(3600),
            ..SessionSettings::default()
        };
        let mut session = start(&settings);
        let first = Activity::of(&session, None);
        session.touch(&settings, t(120));
        let later = Activity::of(&session, None);
        let mut kept = first.clone();
        kept.merge(later.clone());
        assert_eq!(kept, later);
        kept.merge(first);
        assert_eq!(kept, later, "an older record never moves a time back");
        assert_eq!(kept.expire_at, t(3720));
    }

    #[test]
    fn a_device_seen_is_kept_through_later_records_that_saw_none() {
        let settings = SessionSettings::default();
        let mut session = start(&settings);
        let firefox = LatestActivity {
            browser_name: Some("Firefox".to_owned()),
            ..LatestActivity::default()
        };
        let mut kept = Activity::of(&session, Some(firefox.clone()));
        session.touch(&settings, t(120));
        kept.merge(Activity::of(&session, None));
        assert_eq!(kept.last_active_at, t(120));
        assert_eq!(kept.latest_activity, Some(firefox.clone()));
        let mut older = Activity::of(&start(&settings), None);
        older.merge(Activity::of(&start(&settings), Some(firefox.clone())));
        assert_eq!(older.latest_activity, Some(firefox));
    }

    #[test]
    fn only_an_active_session_ends() {
        let mut session = start(&SessionSettings::default());
        session.end(t(10)).unwrap();
        assert_eq!(session.status, SessionStatus::Ended);
        assert!(session.end(t(11)).is_err());
        let mut expired = start(&SessionSettings::default());
        assert!(expired.end(t(8 * 86_400)).is_err());
    }

    #[test]
    fn the_inactivity_timeout_expires_it_sooner() {
        let settings = SessionSettings {
            inactivity_timeout_seconds: Some(3600),
            ..SessionSettings::default()
        };
        let session = start(&settings);
        assert_eq!(session.expire_at, t(3600));
        assert_eq!(session.status_at(t(3600)), SessionStatus::Expired);
        let settings = SessionSettings {
            max_lifetime_seconds: None,
            inactivity_timeout_seconds: Some(600),
            ..SessionSettings::default()
        };
        let session = start(&settings);
        assert_eq!(session.expire_at, t(600));
        assert!(session.abandon_at > t(86_400 * 365));
    }
}
