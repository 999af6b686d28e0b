//! A sign-in as a state machine: identify, a first factor (password, email code, or the reset
//! code that leads to a new password), a second factor when the user has one, then complete.
//! Pure: time is a parameter, password checks arrive as their outcome, and the user is described
//! by a [`Subject`], which for an unknown identifier is made up so that the answers look alike.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use super::identifiers::masked_email;
use super::settings::VerificationSettings;
use super::verification::Verification;
use crate::{Error, Result};

/// How long a sign-in may sit unused before it is abandoned.
pub const ABANDON_AFTER_HOURS: i64 = 24;

/// Where a sign-in stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInStatus {
    NeedsIdentifier,
    NeedsFirstFactor,
    NeedsSecondFactor,
    NeedsNewPassword,
    Complete,
    Abandoned,
}

/// A first factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FirstFactor {
    Password,
    EmailCode,
    ResetPasswordEmailCode,
}

/// A second factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SecondFactor {
    Totp,
    BackupCode,
}

/// One verified email address a code can go to, as the sign-in shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CodeTarget {
    pub email_address_id: String,
    /// `j***@example.com`.
    pub safe_identifier: String,
    /// Where the code is sent; `None` for a made-up target (nothing is sent).
    pub address: Option<String>,
}

/// What the sign-in knows of the user behind the identifier.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Subject {
    /// `None` when no user has the identifier (the sign-in still answers like for one).
    pub user_id: Option<String>,
    pub password_enabled: bool,
    pub code_targets: Vec<CodeTarget>,
    pub second_factor_enabled: bool,
}

impl Subject {
    /// A made-up subject for an unknown identifier: a password, and (when the identifier is an
    /// email address) a code target with a stable id derived from `salt` and the identifier, so
    /// asking twice gives the same answer. `salt` must hold a server secret: anyone who could
    /// compute the id could tell a made-up answer from a real one.
    pub fn unknown(identifier: &str, salt: &str) -> Self {
        let code_targets = if identifier.contains('@') {
            let digest = Sha256::digest(format!("{salt}:{}", identifier.to_ascii_lowercase()));
            vec![CodeTarget {
                email_address_id: format!("idn_{}", bs58::encode(&digest[..16]).into_string()),
                safe_identifier: masked_email(&identifier.to_ascii_lowercase()),
                address: None,
            }]
        } else {
            Vec::new()
        };
        Self {
            user_id: None,
            password_enabled: true,
            code_targets,
            second_factor_enabled: false,
        }
    }
}

/// A first factor in progress: which one, the code target, and its code's verification.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FirstFactorAttempt {
    pub strategy: FirstFactor,
    pub email_address_id: Option<String>,
    pub verification: Verification,
}

/// A sign-in on one client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignIn {
    pub id: String,
    pub client_id: String,
    pub identifier: Option<String>,
    pub subject: Option<Subject>,
    pub first_factor: Option<FirstFactorAttempt>,
    /// The first factor that passed.
    pub first_factor_passed: Option<FirstFactor>,
    pub second_factor_passed: Option<SecondFactor>,
    pub new_password_set: bool,
    pub created_session_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The stored version this state was read at; the store refuses a write over a newer one.
    pub version: i64,
}

fn step(message: &'static str) -> Error {
    Error::validation("strategy", message)
}

impl SignIn {
    /// An empty sign-in.
    pub fn new(id: String, client_id: String, now: DateTime<Utc>) -> Self {
        Self {
            id,
            client_id,
            identifier: None,
            subject: None,
            first_factor: None,
            first_factor_passed: None,
            second_factor_passed: None,
            new_password_set: false,
            created_session_id: None,
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }

    /// The status at `now`.
    pub fn status_at(&self, now: DateTime<Utc>) -> SignInStatus {
        let second_due = self
            .subject
            .as_ref()
            .is_some_and(|s| s.second_factor_enabled);
        if self.created_session_id.is_some() {
            SignInStatus::Complete
        } else if now >= self.updated_at + Duration::hours(ABANDON_AFTER_HOURS) {
            SignInStatus::Abandoned
        } else if self.subject.is_none() {
            SignInStatus::NeedsIdentifier
        } else {
            match self.first_factor_passed {
                None => SignInStatus::NeedsFirstFactor,
                Some(FirstFactor::ResetPasswordEmailCode) if !self.new_password_set => {
                    SignInStatus::NeedsNewPassword
                }
                Some(_) if second_due && self.second_factor_passed.is_none() => {
                    SignInStatus::NeedsSecondFactor
                }
                Some(_) => SignInStatus::Complete,
            }
        }
    }

    /// Whether the factors are done and a session may be created (the status would be
    /// `Complete` but no session exists yet).
    pub fn ready(&self, now: DateTime<Utc>) -> bool {
        self.created_session_id.is_none()
            && self.subject.as_ref().is_some_and(|s| s.user_id.is_some())
            && self.status_at(now) == SignInStatus::Complete
    }

    fn expect(&self, status: SignInStatus, now: DateTime<Utc>) -> Result<()> {
        let actual = self.status_at(now);
        if actual == status {
            return Ok(());
        }
        Err(match actual {
            SignInStatus::NeedsIdentifier => step("identify first: this sign-in has no identifier"),
            SignInStatus::NeedsFirstFactor => step("the first factor comes first"),
            SignInStatus::NeedsSecondFactor => step("this sign-in needs its second factor"),
            SignInStatus::NeedsNewPassword => step("this sign-in needs a new password"),
            SignInStatus::Complete => step("this sign-in is already complete"),
            SignInStatus::Abandoned => step("this sign-in was abandoned; start a new one"),
        })
    }

    /// Names who is signing in: `subject` is the user found for `identifier`, or a made-up one.
    pub fn identify(
        &mut self,
        identifier: String,
        subject: Subject,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.expect(SignInStatus::NeedsIdentifier, now)?;
        self.identifier = Some(identifier);
        self.subject = Some(subject);
        self.updated_at = now;
        Ok(())
    }

    /// The first factors the subject can use.
    pub fn supported_first_factors(&self) -> Vec<(FirstFactor, Option<&CodeTarget>)> {
        let Some(subject) = &self.subject else {
            return Vec::new();
        };
        let mut factors = Vec::new();
        if subject.password_enabled {
            factors.push((FirstFactor::Password, None));
        }
        for target in &subject.code_targets {
            factors.push((FirstFactor::EmailCode, Some(target)));
        }
        if subject.password_enabled {
            for target in &subject.code_targets {
                factors.push((FirstFactor::ResetPasswordEmailCode, Some(target)));
            }
        }
        factors
    }

    /// The second factors the subject can use: shown only once the first factor has passed
    /// (before that, they would tell who exists and who has a second factor).
    pub fn supported_second_factors(&self) -> Vec<SecondFactor> {
        match &self.subject {
            Some(s) if s.second_factor_enabled && self.first_factor_passed.is_some() => {
                vec![SecondFactor::Totp, SecondFactor::BackupCode]
            }
            _ => Vec::new(),
        }
    }

    /// Issues `code` for an email-code first factor to `email_address_id`; gives where to send
    /// it (`None` for a made-up target: nothing is sent, and nothing will match).
    pub fn prepare_first_factor(
        &mut self,
        strategy: FirstFactor,
        email_address_id: &str,
        code: &str,
        now: DateTime<Utc>,
        settings: &VerificationSettings,
    ) -> Result<Option<String>> {
        self.expect(SignInStatus::NeedsFirstFactor, now)?;
        if strategy == FirstFactor::Password {
            return Err(step("a password needs no preparing"));
        }
        let supported = self
            .supported_first_factors()
            .into_iter()
            .find(|(s, t)| {
                *s == strategy && t.is_some_and(|t| t.email_address_id == email_address_id)
            })
            .and_then(|(_, t)| t.cloned());
        let Some(target) = supported else {
            return Err(Error::validation(
                "emailAddressId",
                "is not one of this sign-in's email addresses for that strategy",
            ));
        };
        // The resend interval holds across strategies and addresses of one sign-in.
        let mut verification = Verification::new(self.id.clone());
        verification.sent_at = self
            .first_factor
            .as_ref()
            .and_then(|f| f.verification.sent_at);
        verification.prepare(code, now, settings)?;
        self.first_factor = Some(FirstFactorAttempt {
            strategy,
            email_address_id: Some(target.email_address_id),
            verification,
        });
        self.updated_at = now;
        Ok(target.address)
    }

    /// The email address a code to the target `email_address_id` is counted against: the
    /// target's own, or for a made-up target (nothing is sent) the identifier as typed, so
    /// guesses at an address count the same whether anyone holds it or not. Lowercase.
    pub fn code_address(&self, email_address_id: &str) -> Option<String> {
        let target = self
            .subject
            .as_ref()?
            .code_targets
            .iter()
            .find(|t| t.email_address_id == email_address_id)?;
        let address = target.address.as_ref().or(self.identifier.as_ref())?;
        Some(address.trim().to_ascii_lowercase())
    }

    /// The address the prepared first factor's code is counted against (`code_address`).
    pub fn prepared_code_address(&self) -> Option<String> {
        let id = self.first_factor.as_ref()?.email_address_id.as_deref()?;
        self.code_address(id)
    }

    /// Refuses, as `attempt_first_factor_code` would, when no code would be compared: not this
    /// step, nothing prepared for `strategy`, or its code verified, failed or expired.
    pub fn ensure_code_checkable(&self, strategy: FirstFactor, now: DateTime<Utc>) -> Result<()> {
        self.expect(SignInStatus::NeedsFirstFactor, now)?;
        match &self.first_factor {
            Some(f) if f.strategy == strategy && strategy != FirstFactor::Password => {
                f.verification.ensure_checkable(now)
            }
            _ => Err(step("prepare this first factor before attempting it")),
        }
    }

    /// Checks an email code of the prepared first factor (counted like any verification).
    pub fn attempt_first_factor_code(
        &mut self,
        strategy: FirstFactor,
        code: &str,
        now: DateTime<Utc>,
        settings: &VerificationSettings,
    ) -> Result<()> {
        self.ensure_code_checkable(strategy, now)?;
        let Some(attempt) = self.first_factor.as_mut() else {
            return Err(step("prepare this first factor before attempting it"));
        };
        attempt.verification.attempt(code, now, settings)?;
        self.updated_at = now;
        if self.subject.as_ref().is_none_or(|s| s.user_id.is_none()) {
            // A made-up target: its code was never sent, and even a lucky guess leads nowhere.
            return Err(Error::CodeIncorrect);
        }
        self.first_factor_passed = Some(strategy);
        Ok(())
    }

    /// Records the outcome of a password check (made against a dummy hash for an unknown
    /// identifier, so its time gives nothing away). A wrong password and an unknown identifier
    /// are both `INVALID_CREDENTIALS`.
    pub fn password_checked(&mut self, matched: bool, now: DateTime<Utc>) -> Result<()> {
        self.expect(SignInStatus::NeedsFirstFactor, now)?;
        let known = self
            .subject
            .as_ref()
            .is_some_and(|s| s.user_id.is_some() && s.password_enabled);
        if !(matched && known) {
            return Err(Error::InvalidCredentials);
        }
        self.first_factor_passed = Some(FirstFactor::Password);
        self.updated_at = now;
        Ok(())
    }

    /// Records a passed second factor.
    pub fn second_factor_passed(&mut self, factor: SecondFactor, now: DateTime<Utc>) -> Result<()> {
        self.expect(SignInStatus::NeedsSecondFactor, now)?;
        self.second_factor_passed = Some(factor);
        self.updated_at = now;
        Ok(())
    }

    /// Checks that `strategy` may be attempted now, before anything is counted: a first factor
    /// is due, and an email code was prepared for that strategy.
    pub fn ensure_first_factor_due(&self, strategy: FirstFactor, now: DateTime<Utc>) -> Result<()> {
        self.expect(SignInStatus::NeedsFirstFactor, now)?;
        let prepared = self
            .first_factor
            .as_ref()
            .is_some_and(|f| f.strategy == strategy);
        if strategy != FirstFactor::Password && !prepared {
            return Err(step("prepare this first factor before attempting it"));
        }
        Ok(())
    }

    /// Checks that a second factor may be attempted now (before its code is checked).
    pub fn ensure_second_factor_due(&self, now: DateTime<Utc>) -> Result<()> {
        self.expect(SignInStatus::NeedsSecondFactor, now)
    }

    /// Checks that a new password may be set now (after a reset code).
    pub fn ensure_new_password_due(&self, now: DateTime<Utc>) -> Result<()> {
        self.expect(SignInStatus::NeedsNewPassword, now)
    }

    /// Records that the new password was set.
    pub fn new_password_was_set(&mut self, now: DateTime<Utc>) -> Result<()> {
        self.expect(SignInStatus::NeedsNewPassword, now)?;
        self.new_password_set = true;
        self.updated_at = now;
        Ok(())
    }

    /// Marks the sign-in complete with the session it created.
    pub fn complete(&mut self, session_id: String, now: DateTime<Utc>) -> Result<()> {
        if !self.ready(now) {
            return Err(step("this sign-in still needs a factor"));
        }
        self.created_session_id = Some(session_id);
        self.updated_at = now;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
