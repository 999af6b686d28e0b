//! Tenancy in GraphQL: instances, secret keys and settings.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use latchkey_domain::model::instance as domain;

use super::settings::{Settings, SettingsInput};
use super::{GqlResult, ResultExt, domain_error, scope};

/// Whether an instance is for development or production.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstanceEnvironment {
    /// Test keys (`pk_test_…`, `sk_test_…`), test email addresses, GraphiQL introspection.
    Development,
    /// Live keys (`pk_live_…`, `sk_live_…`).
    Production,
}

impl From<domain::Environment> for InstanceEnvironment {
    fn from(value: domain::Environment) -> Self {
        match value {
            domain::Environment::Development => Self::Development,
            domain::Environment::Production => Self::Production,
        }
    }
}

impl From<InstanceEnvironment> for domain::Environment {
    fn from(value: InstanceEnvironment) -> Self {
        match value {
            InstanceEnvironment::Development => Self::Development,
            InstanceEnvironment::Production => Self::Production,
        }
    }
}

/// An instance as the API shows it.
pub struct Instance(pub domain::Instance);

/// A tenant: its own users, keys and settings. Nothing is visible across instances.
#[Object]
impl Instance {
    /// The instance's id (`ins_…`).
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    /// The instance's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Development or production.
    async fn environment(&self) -> InstanceEnvironment {
        self.0.environment.into()
    }

    /// The public key that names this instance to frontends (`pk_test_…` or `pk_live_…`).
    async fn publishable_key(&self) -> &str {
        &self.0.publishable_key
    }

    /// Every setting of the instance.
    async fn settings(&self) -> Settings {
        Settings::from(&self.0.settings)
    }

    /// The instance's secret keys, without their values (which are shown only at creation).
    async fn secret_keys(&self, ctx: &Context<'_>) -> GqlResult<Vec<SecretKey>> {
        let (platform, caller) = scope(ctx)?;
        let keys = platform.secret_keys(caller, &self.0.id).await.gql()?;
        Ok(keys.into_iter().map(SecretKey::from).collect())
    }

    /// When the instance was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the instance last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A backend secret key. Its value is shown once, when it is created, and stored only as a hash.
#[derive(SimpleObject)]
pub struct SecretKey {
    /// The key's id (`skid_…`, or `sk_…` and a short id for keys made before ids had their own
    /// prefix): never the key itself, which starts `sk_test_` or `sk_live_`.
    pub id: ID,
    /// A name to tell keys apart.
    pub name: String,
    /// The last four characters of the key.
    pub hint: String,
    /// When the key was created.
    pub created_at: DateTime<Utc>,
    /// When the key was revoked; null while it is valid.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<domain::SecretKey> for SecretKey {
    fn from(key: domain::SecretKey) -> Self {
        Self {
            id: ID(key.id),
            name: key.name,
            hint: key.hint,
            created_at: key.created_at,
            revoked_at: key.revoked_at,
        }
    }
}

/// A secret key just created, with its value: store it now, it is never shown again.
#[derive(SimpleObject)]
pub struct CreatedSecretKey {
    /// The key's record.
    pub secret_key: SecretKey,
    /// The key itself (`sk_test_…` or `sk_live_…`).
    pub key: String,
}

impl From<domain::CreatedSecretKey> for CreatedSecretKey {
    fn from(created: domain::CreatedSecretKey) -> Self {
        Self {
            secret_key: created.key.into(),
            key: created.secret,
        }
    }
}

/// A new instance and its first secret key.
#[derive(SimpleObject)]
pub struct CreatedInstance {
    /// The instance.
    pub instance: Instance,
    /// Its first secret key, shown once.
    pub secret_key: CreatedSecretKey,
}

/// A new instance.
#[derive(InputObject)]
pub struct CreateInstanceInput {
    /// Its name (1–256 characters).
    pub name: String,
    /// Development (the default) or production.
    #[graphql(default_with = "InstanceEnvironment::Development")]
    pub environment: InstanceEnvironment,
}

/// Queries about instances.
#[derive(Default)]
pub struct InstanceQuery;

#[Object]
impl InstanceQuery {
    /// The instance of the calling secret key.
    async fn instance(&self, ctx: &Context<'_>) -> GqlResult<Instance> {
        let (platform, caller) = scope(ctx)?;
        platform.instance(caller).await.map(Instance).gql()
    }

    /// The instances on this server, oldest first (platform admin).
    #[graphql(complexity = "usize::try_from(limit).unwrap_or(1) * child_complexity")]
    async fn instances(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "How many to return (1–500).",
            default = 100,
            validator(minimum = 1, maximum = 500)
        )]
        limit: i32,
        #[graphql(desc = "How many to skip.", default = 0, validator(minimum = 0))] offset: i32,
    ) -> GqlResult<Vec<Instance>> {
        let (platform, caller) = scope(ctx)?;
        let (limit, offset) = (
            u64::try_from(limit).unwrap_or(1),
            u64::try_from(offset).unwrap_or(0),
        );
        let page = platform.instances(caller, limit, offset).await.gql()?;
        Ok(page.into_iter().map(Instance).collect())
    }
}

/// Changes to instances.
#[derive(Default)]
pub struct InstanceMutation;

#[Object]
impl InstanceMutation {
    /// Creates an instance with default settings and its first secret key (platform admin).
    async fn create_instance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new instance.")] input: CreateInstanceInput,
    ) -> GqlResult<CreatedInstance> {
        let (platform, caller) = scope(ctx)?;
        let (instance, key) = platform
            .create_instance(caller, &input.name, input.environment.into())
            .await
            .gql()?;
        Ok(CreatedInstance {
            instance: Instance(instance),
            secret_key: key.into(),
        })
    }

    /// Creates a secret key: the platform admin names the instance; a secret key may create
    /// another for its own instance.
    async fn create_secret_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The instance; optional for a secret key (its own).")] instance_id: Option<
            ID,
        >,
        #[graphql(desc = "A name to tell keys apart (at most 256 characters).")] name: Option<
            String,
        >,
    ) -> GqlResult<CreatedSecretKey> {
        let (platform, caller) = scope(ctx)?;
        platform
            .create_secret_key(
                caller,
                instance_id.as_ref().map(|id| id.as_str()),
                name.as_deref(),
            )
            .await
            .map(CreatedSecretKey::from)
            .gql()
    }

    /// Revokes a secret key at once: every later request with it is `UNAUTHENTICATED`.
    async fn revoke_secret_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The key's id.")] id: ID,
    ) -> GqlResult<SecretKey> {
        let (platform, caller) = scope(ctx)?;
        platform
            .revoke_secret_key(caller, &id)
            .await
            .map(SecretKey::from)
            .gql()
    }

    /// Changes the settings of an instance: the calling secret key's own, or the one the
    /// platform admin names. Only the given fields change; bad values are `VALIDATION_FAILED`.
    async fn update_instance_settings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The instance; optional for a secret key (its own).")] instance_id: Option<
            ID,
        >,
        #[graphql(desc = "The changes.")] input: SettingsInput,
    ) -> GqlResult<Instance> {
        let (platform, caller) = scope(ctx)?;
        let patch = serde_json::to_value(&input)
            .map_err(|e| domain_error(latchkey_domain::Error::internal(e)))?;
        platform
            .update_instance_settings(caller, instance_id.as_ref().map(|id| id.as_str()), patch)
            .await
            .map(Instance)
            .gql()
    }
}
