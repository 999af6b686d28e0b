//! Second factors: the signed-in user's enrolment (`createTotp`, `verifyTotp`, `disableTotp`,
//! `createBackupCodes`); the check of a code is `flows::second_factors::check`.

use sea_orm::TransactionTrait;

use crate::flows::second_factors::{hashes, seal_context};
use crate::model::caller::Caller;
use crate::model::reverification::Sensitive;
use crate::model::second_factor::{
    encoded, matching_step, new_backup_codes, new_secret, otpauth_uri,
};
use crate::model::user::User;
use crate::platform::Platform;
use crate::store;
use crate::{Error, Result};

/// A TOTP secret being enrolled: shown once, for an authenticator app.
#[derive(Clone)]
pub struct TotpEnrolment {
    /// Base32, to type in.
    pub secret: String,
    /// `otpauth://totp/…`, to scan.
    pub uri: String,
}

impl std::fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpEnrolment(…)")
    }
}

impl Platform {
    /// `createTotp`: a new secret for the signed-in user to add to an authenticator app. TOTP
    /// is on only once `verifyTotp` proves the app has it.
    pub async fn create_totp(&self, caller: &Caller) -> Result<TotpEnrolment> {
        let (instance, user_id) = caller.require_user()?;
        self.require_reverified(caller, Sensitive::CreateTotp)
            .await?;
        let user = self.signed_in_user(caller).await?;
        let secret = new_secret();
        let sealed = self
            .services
            .master_key
            .seal(&seal_context(user_id), &secret)?;
        if !store::second_factors::set_pending(&self.db, &instance.id, user_id, &sealed, self.now())
            .await?
        {
            return Err(Error::validation(
                "totp",
                "TOTP is on already: disable it first to enrol another app",
            ));
        }
        let account = user
            .primary_email_address()
            .map(|e| e.email_address.clone())
            .or(user.username.clone())
            .unwrap_or(user.id.clone());
        Ok(TotpEnrolment {
            uri: otpauth_uri(&secret, &instance.name, &account),
            secret: encoded(&secret),
        })
    }

    /// `verifyTotp`: turns TOTP on with a code from the app, and gives the backup codes, once.
    /// The code proved the new second factor: the calling session counts it as verified now.
    pub async fn verify_totp(&self, caller: &Caller, code: &str) -> Result<Vec<String>> {
        let (instance, user_id, session_id) = caller.require_session()?;
        let now = self.now();
        let state = store::second_factors::get(&self.db, &instance.id, user_id)
            .await?
            .ok_or(Error::NotFound("user"))?;
        let sealed = match (state.verified, state.sealed_secret) {
            (false, Some(sealed)) => sealed,
            (true, _) => return Err(Error::validation("totp", "TOTP is on already")),
            (false, None) => {
                return Err(Error::validation(
                    "totp",
                    "there is no TOTP secret to verify: call createTotp first",
                ));
            }
        };
        let secret = self
            .services
            .master_key
            .open(&seal_context(user_id), &sealed)?;
        let step = matching_step(&secret, code, now, None)?.ok_or(Error::CodeIncorrect)?;
        let codes = new_backup_codes();
        let txn = self.db.begin().await?;
        let enabled = store::second_factors::enable(
            &txn,
            &instance.id,
            user_id,
            &sealed,
            step,
            &hashes(&self.services, user_id, &codes),
            now,
        )
        .await?;
        if !enabled {
            return Err(Error::validation(
                "totp",
                "the enrolment changed meanwhile: start again with createTotp",
            ));
        }
        store::session_factors::factor_verified(&txn, &instance.id, session_id, true, now).await?;
        store::events::append_user_updated(&txn, &instance.id, user_id, now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        // The session's tokens carry the second factor's age from now on.
        if let Some(session) = store::sessions::find(&self.db, &instance.id, session_id).await? {
            self.services.factors_verified(&session).await;
        }
        Ok(codes)
    }

    /// `disableTotp`: TOTP off, backup codes gone; sign-ins need one factor again.
    pub async fn disable_totp(&self, caller: &Caller) -> Result<User> {
        let (instance, user_id) = caller.require_user()?;
        self.require_reverified(caller, Sensitive::DisableTotp)
            .await?;
        let now = self.now();
        let txn = self.db.begin().await?;
        store::second_factors::disable(&txn, &instance.id, user_id, now).await?;
        store::events::append_user_updated(&txn, &instance.id, user_id, now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        self.signed_in_user(caller).await
    }

    /// `createBackupCodes`: ten new backup codes replace the old ones (TOTP must be on).
    pub async fn create_backup_codes(&self, caller: &Caller) -> Result<Vec<String>> {
        let (instance, user_id) = caller.require_user()?;
        self.require_reverified(caller, Sensitive::CreateBackupCodes)
            .await?;
        let codes = new_backup_codes();
        let now = self.now();
        let txn = self.db.begin().await?;
        let set = store::second_factors::set_backup_codes(
            &txn,
            &instance.id,
            user_id,
            &hashes(&self.services, user_id, &codes),
            now,
        )
        .await?;
        if !set {
            return Err(Error::validation(
                "totp",
                "backup codes go with TOTP: turn TOTP on first",
            ));
        }
        store::events::append_user_updated(&txn, &instance.id, user_id, now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        Ok(codes)
    }

    /// The signed-in user.
    pub async fn signed_in_user(&self, caller: &Caller) -> Result<User> {
        let (instance, user_id) = caller.require_user()?;
        store::users::find(&self.db, &instance.id, user_id)
            .await?
            .ok_or(Error::NotFound("user"))
    }
}
