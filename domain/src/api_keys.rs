//! API keys (backend scope): `createApiKey` shows an `ak_…` key once and keeps its hash;
//! `apiKeys` lists them; `revokeApiKey` ends one; `verifyToken` with `API_KEY` checks one.

use chrono::Duration;

use crate::ids::{IdKind, new_id};
use crate::model::api_key::check;
pub use crate::model::api_key::{
    API_KEY_PREFIX, ApiKey, ApiKeyRejection, CreatedApiKey, NewApiKey,
};
use crate::model::caller::Caller;
use crate::platform::Platform;
use crate::secrets::{hash_secret, hint, new_secret};
use crate::store;
use crate::{Error, Result};

impl Platform {
    /// Creates an API key; its value is in the answer and nowhere else.
    pub async fn create_api_key(&self, caller: &Caller, new: NewApiKey) -> Result<CreatedApiKey> {
        let instance = caller.require_backend()?;
        check(&new)?;
        let now = self.now();
        let secret = new_secret(API_KEY_PREFIX);
        let expires_at = new
            .expires_in_seconds
            .and_then(|s| i64::try_from(s).ok())
            .map(|s| now + Duration::seconds(s));
        let key = ApiKey {
            id: new_id(IdKind::ApiKey),
            instance_id: instance.id.clone(),
            name: new.name.trim().to_owned(),
            subject: new.subject,
            scopes: new.scopes,
            hint: hint(&secret),
            expires_at,
            revoked_at: None,
            created_at: now,
        };
        store::api_keys::insert(&self.db, &key, &hash_secret(&secret)).await?;
        Ok(CreatedApiKey { key, secret })
    }

    /// The instance's API keys, newest first.
    pub async fn api_keys(&self, caller: &Caller) -> Result<Vec<ApiKey>> {
        let instance = caller.require_backend()?;
        store::api_keys::list(&self.db, &instance.id).await
    }

    /// Revokes an API key at once (`verifyToken` refuses it from then on).
    pub async fn revoke_api_key(&self, caller: &Caller, id: &str) -> Result<ApiKey> {
        let instance = caller.require_backend()?;
        store::api_keys::revoke(&self.db, &instance.id, id, self.now())
            .await?
            .ok_or(Error::NotFound("API key"))
    }

    /// Checks an API key of the caller's instance (`verifyToken` with `API_KEY`).
    pub async fn verify_api_key(
        &self,
        caller: &Caller,
        secret: &str,
    ) -> Result<std::result::Result<ApiKey, ApiKeyRejection>> {
        let instance = caller.require_backend()?;
        let found =
            store::api_keys::find_by_hash(&self.db, &instance.id, &hash_secret(secret)).await?;
        Ok(match found {
            None => Err(ApiKeyRejection::NotFound),
            Some(key) => key.check_at(self.now()).map(|()| key),
        })
    }
}
