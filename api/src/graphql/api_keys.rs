//! API keys in GraphQL (backend scope): `apiKeys`, `createApiKey`, `revokeApiKey`.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use latchkey_domain::api_keys::{ApiKey as DomainKey, NewApiKey};

use super::{GqlResult, ResultExt, scope};

/// A long-lived key for a user or a service, checked with `verifyToken(acceptsToken: [API_KEY])`.
#[derive(SimpleObject)]
pub struct ApiKey {
    /// The key's id (`akid_…`, or `ak_…` and a short id for keys made before ids had their own
    /// prefix): never the key itself, which is longer.
    pub id: ID,
    /// What it is for.
    pub name: String,
    /// Whom it acts for: a user id, or a service's name.
    pub subject: String,
    /// What it may do, as the backend defines scopes.
    pub scopes: Vec<String>,
    /// The last four characters of the key, to tell keys apart.
    pub hint: String,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl From<DomainKey> for ApiKey {
    fn from(k: DomainKey) -> Self {
        Self {
            id: ID(k.id),
            name: k.name,
            subject: k.subject,
            scopes: k.scopes,
            hint: k.hint,
            expires_at: k.expires_at,
            revoked_at: k.revoked_at,
            created_at: k.created_at,
        }
    }
}

/// A new API key and its value, shown this once.
#[derive(SimpleObject)]
pub struct CreatedApiKey {
    /// The key as stored.
    pub api_key: ApiKey,
    /// The key itself (`ak_…`): store it now; Latchkey keeps only its hash.
    pub secret: String,
}

/// API key queries.
#[derive(Default)]
pub struct ApiKeyQuery;

#[Object]
impl ApiKeyQuery {
    /// The instance's API keys, newest first (backend scope).
    async fn api_keys(&self, ctx: &Context<'_>) -> GqlResult<Vec<ApiKey>> {
        let (platform, caller) = scope(ctx)?;
        let keys = platform.api_keys(caller).await.gql()?;
        Ok(keys.into_iter().map(ApiKey::from).collect())
    }
}

/// API key mutations.
#[derive(Default)]
pub struct ApiKeyMutation;

#[Object]
impl ApiKeyMutation {
    /// Creates an API key (backend scope); its value is in the answer and nowhere else.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What it is for (1 to 128 characters).")] name: String,
        #[graphql(desc = "Whom it acts for: a user id (`user_…`) or a service's name.")]
        subject: String,
        #[graphql(desc = "What it may do (up to 50 scopes such as `read:invoices`).")]
        scopes: Option<Vec<String>>,
        #[graphql(
            desc = "It stops working after this many seconds (60 to ten years); never when left out."
        )]
        expires_in_seconds: Option<u64>,
    ) -> GqlResult<CreatedApiKey> {
        let (platform, caller) = scope(ctx)?;
        let created = platform
            .create_api_key(
                caller,
                NewApiKey {
                    name,
                    subject,
                    scopes: scopes.unwrap_or_default(),
                    expires_in_seconds,
                },
            )
            .await
            .gql()?;
        Ok(CreatedApiKey {
            api_key: created.key.into(),
            secret: created.secret,
        })
    }

    /// Revokes an API key at once (backend scope).
    async fn revoke_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The key's id.")] id: ID,
    ) -> GqlResult<ApiKey> {
        let (platform, caller) = scope(ctx)?;
        Ok(platform.revoke_api_key(caller, &id).await.gql()?.into())
    }
}
