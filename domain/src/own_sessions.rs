//! The signed-in user's sessions on every device: `me { sessions }` (`User.sessions`) and
//! `revokeMySession`, which revokes like the backend's `revokeSession` once the calling session
//! is recently verified.

use crate::model::caller::Caller;
use crate::model::reverification::Sensitive;
use crate::model::session::{Session, SessionStatus};
use crate::platform::Platform;
use crate::sessions::MAX_SESSIONS_LISTED;
use crate::store;
use crate::{Error, Result};

impl Platform {
    /// `User.sessions`: the active sessions of a user of `instance_id`, newest first, for the
    /// user themselves (a session token) or the instance's backend; `FORBIDDEN` to anyone else.
    pub async fn active_sessions_of(
        &self,
        caller: &Caller,
        instance_id: &str,
        user_id: &str,
    ) -> Result<Vec<Session>> {
        let instance = match caller {
            Caller::Backend { instance, .. } => instance,
            Caller::User {
                instance,
                user_id: own,
                ..
            } if own == user_id => instance,
            Caller::Anonymous => return Err(Error::Unauthenticated("a session token is required")),
            _ => {
                return Err(Error::Forbidden(
                    "a user's sessions are theirs and the backend's",
                ));
            }
        };
        if instance.id != instance_id {
            return Err(Error::NotFound("user"));
        }
        store::sessions::for_user(
            &self.db,
            &instance.id,
            user_id,
            Some(SessionStatus::Active),
            self.now(),
            MAX_SESSIONS_LISTED,
        )
        .await
    }

    /// `revokeMySession`: revokes one of the signed-in user's own sessions (`NOT_FOUND` for any
    /// other), after a recent verification of the calling session.
    pub async fn revoke_my_session(&self, caller: &Caller, session_id: &str) -> Result<Session> {
        let (instance, user_id) = caller.require_user()?;
        self.require_reverified(caller, Sensitive::RevokeMySession)
            .await?;
        let session = store::sessions::find(&self.db, &instance.id, session_id)
            .await?
            .filter(|s| s.user_id == user_id)
            .ok_or(Error::NotFound("session"))?;
        self.revoke(instance, session).await
    }
}
