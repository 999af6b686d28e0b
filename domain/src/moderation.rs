//! The backend's hold over users: read one, lock and unlock, ban and unban. Each works in the
//! secret key's own instance only.

use chrono::Duration;
use sea_orm::TransactionTrait;

use crate::model::caller::Caller;
use crate::model::event::EventType::UserUpdated;
use crate::model::session::SessionStatus;
use crate::model::user::User;
use crate::platform::Platform;
use crate::store;
use crate::{Error, Result};

/// How long a backend lock lasts: until the backend unlocks the user.
const LOCKED_UNTIL_UNLOCKED_YEARS: i64 = 100;

impl Platform {
    /// A user of the caller's instance.
    pub async fn backend_user(&self, caller: &Caller, user_id: &str) -> Result<User> {
        let instance = caller.require_backend()?;
        store::users::find(&self.db, &instance.id, user_id)
            .await?
            .ok_or(Error::NotFound("user"))
    }

    /// Locks a user out of signing in until unlocked (`true`), or unlocks it and starts its
    /// failure count over (`false`).
    pub async fn set_user_locked(
        &self,
        caller: &Caller,
        user_id: &str,
        locked: bool,
    ) -> Result<User> {
        let instance = caller.require_backend()?;
        let now = self.now();
        let until = locked.then(|| now + Duration::days(365 * LOCKED_UNTIL_UNLOCKED_YEARS));
        let txn = self.db.begin().await?;
        if !store::users::set_locked_until(&txn, &instance.id, user_id, until, now).await? {
            return Err(Error::NotFound("user"));
        }
        store::events::append_user_updated(&txn, &instance.id, user_id, now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        self.backend_user(caller, user_id).await
    }

    /// Bans a user (its active sessions are revoked, and it cannot sign in), or unbans it.
    pub async fn set_user_banned(
        &self,
        caller: &Caller,
        user_id: &str,
        banned: bool,
    ) -> Result<User> {
        let instance = caller.require_backend()?;
        let now = self.now();
        let txn = self.db.begin().await?;
        if !store::users::set_banned(&txn, &instance.id, user_id, banned, now).await? {
            return Err(Error::NotFound("user"));
        }
        let mut events = Vec::new();
        if banned {
            let revoked = store::sessions::close_all_for_user(
                &txn,
                &instance.id,
                user_id,
                SessionStatus::Revoked,
                None,
                now,
            )
            .await?;
            events.extend(store::events::about_sessions(&revoked));
        }
        events.extend(
            store::events::about_user(&txn, &instance.id, user_id, UserUpdated, now).await?,
        );
        store::events::append(&txn, &instance.id, &events, now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        if banned {
            self.services.sessions_changed(&instance.id, user_id);
        }
        self.backend_user(caller, user_id).await
    }
}
