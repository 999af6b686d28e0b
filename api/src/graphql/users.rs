//! Users for the backend (secret-key scope): read one, lock, unlock, ban, unban.

use async_graphql::{Context, ID, Object};

use super::client::User;
use super::{GqlResult, ResultExt, scope};

/// Backend queries about users.
#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// A user of the instance (secret key).
    async fn user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id (`user_…`).")] id: ID,
    ) -> GqlResult<User> {
        let (platform, caller) = scope(ctx)?;
        Ok(User(platform.backend_user(caller, &id).await.gql()?))
    }
}

/// Backend moderation of users.
#[derive(Default)]
pub struct UserMutation;

#[Object]
impl UserMutation {
    /// Locks the user out of signing in until `unlockUser` (secret key).
    async fn lock_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id.")] id: ID,
    ) -> GqlResult<User> {
        let (platform, caller) = scope(ctx)?;
        Ok(User(
            platform.set_user_locked(caller, &id, true).await.gql()?,
        ))
    }

    /// Lifts a lock (the backend's, or one from failed attempts) and starts the failure count
    /// over (secret key).
    async fn unlock_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id.")] id: ID,
    ) -> GqlResult<User> {
        let (platform, caller) = scope(ctx)?;
        Ok(User(
            platform.set_user_locked(caller, &id, false).await.gql()?,
        ))
    }

    /// Bans the user: its active sessions are revoked and it cannot sign in (secret key).
    async fn ban_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id.")] id: ID,
    ) -> GqlResult<User> {
        let (platform, caller) = scope(ctx)?;
        Ok(User(
            platform.set_user_banned(caller, &id, true).await.gql()?,
        ))
    }

    /// Lifts a ban (secret key).
    async fn unban_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id.")] id: ID,
    ) -> GqlResult<User> {
        let (platform, caller) = scope(ctx)?;
        Ok(User(
            platform.set_user_banned(caller, &id, false).await.gql()?,
        ))
    }
}
