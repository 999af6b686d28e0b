//! A user's second factors as sign-in (and reverification) checks them: a TOTP code's step or
//! a backup code, used up once it matches; and how secrets and backup codes are kept.

use chrono::{DateTime, Utc};

use crate::Result;
use crate::model::second_factor::{backup_code_hash, matching_step};
use crate::model::sign_in::SecondFactor;
use crate::services::Services;
use crate::store;

/// What a TOTP secret is sealed to: its user.
pub(crate) fn seal_context(user_id: &str) -> String {
    format!("totp:{user_id}")
}

/// The key backup codes are hashed with.
fn backup_key(svc: &Services) -> String {
    svc.master_key.derive("backup-codes")
}

pub(crate) fn hashes(svc: &Services, user_id: &str, codes: &[String]) -> Vec<String> {
    let key = backup_key(svc);
    codes
        .iter()
        .map(|c| backup_code_hash(&key, user_id, c))
        .collect()
}

/// Checks a second factor of `user_id` at `now` and uses it up: a TOTP code's step, or a backup
/// code. False for a wrong, old or already used code.
pub(crate) async fn check(
    svc: &Services,
    instance_id: &str,
    user_id: &str,
    factor: SecondFactor,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let Some(state) = store::second_factors::get(&svc.db, instance_id, user_id).await? else {
        return Ok(false);
    };
    if !state.verified {
        return Ok(false);
    }
    match factor {
        SecondFactor::Totp => {
            let Some(sealed) = state.sealed_secret else {
                return Ok(false);
            };
            let secret = svc.master_key.open(&seal_context(user_id), &sealed)?;
            match matching_step(&secret, code, now, state.last_step)? {
                Some(step) => {
                    store::second_factors::use_step(&svc.db, instance_id, user_id, step, now).await
                }
                None => Ok(false),
            }
        }
        SecondFactor::BackupCode => {
            let hash = backup_code_hash(&backup_key(svc), user_id, code);
            let Some(stored) = state.backup_codes_stored else {
                return Ok(false);
            };
            if !state.backup_codes.contains(&hash) {
                return Ok(false);
            }
            let remaining: Vec<String> = state
                .backup_codes
                .into_iter()
                .filter(|h| *h != hash)
                .collect();
            store::second_factors::use_backup_code(
                &svc.db,
                instance_id,
                user_id,
                &stored,
                &remaining,
                now,
            )
            .await
        }
    }
}
