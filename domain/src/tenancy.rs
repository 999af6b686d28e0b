//! Instance management: instances, their secret keys and settings, each checked against the
//! caller's scope. A backend key acts only in its own instance; the platform admin in any.

use sea_orm::{ConnectionTrait, TransactionTrait};

use crate::ids::{IdKind, new_id};
use crate::model::caller::Caller;
use crate::model::instance::{
    CreatedSecretKey, Environment, Instance, SecretKey, validate_instance_name, validate_key_name,
};
use crate::model::settings::InstanceSettings;
use crate::platform::{Platform, new_publishable_key, new_secret_key};
use crate::secrets::{hash_secret, hint};
use crate::{Error, Result, store};

impl Platform {
    /// Creates an instance with default settings and its first secret key (platform admin).
    pub async fn create_instance(
        &self,
        caller: &Caller,
        name: &str,
        environment: Environment,
    ) -> Result<(Instance, CreatedSecretKey)> {
        caller.require_admin()?;
        let name = validate_instance_name(name)?;
        let txn = self.db.begin().await?;
        let created = self.insert_instance(&txn, name, environment).await?;
        txn.commit().await?;
        tracing::info!(instance_id = %created.0.id, "created an instance");
        Ok(created)
    }

    pub(crate) async fn insert_instance(
        &self,
        db: &impl ConnectionTrait,
        name: String,
        environment: Environment,
    ) -> Result<(Instance, CreatedSecretKey)> {
        let now = self.now();
        let instance = Instance {
            id: new_id(IdKind::Instance),
            name,
            environment,
            publishable_key: new_publishable_key(environment),
            settings: InstanceSettings::new(),
            created_at: now,
            updated_at: now,
        };
        store::instances::insert(db, &instance).await?;
        store::roles::insert_defaults(db, &instance.id, now).await?;
        let key = self
            .insert_secret_key(db, &instance, "default".to_owned())
            .await?;
        Ok((instance, key))
    }

    async fn insert_secret_key(
        &self,
        db: &impl ConnectionTrait,
        instance: &Instance,
        name: String,
    ) -> Result<CreatedSecretKey> {
        let secret = new_secret_key(instance.environment);
        let key = SecretKey {
            id: new_id(IdKind::SecretKey),
            instance_id: instance.id.clone(),
            name,
            hint: hint(&secret),
            created_at: self.now(),
            revoked_at: None,
        };
        store::secret_keys::insert(db, &key, &hash_secret(&secret)).await?;
        Ok(CreatedSecretKey { key, secret })
    }

    /// A page of the instances, oldest first (platform admin).
    pub async fn instances(
        &self,
        caller: &Caller,
        limit: u64,
        offset: u64,
    ) -> Result<Vec<Instance>> {
        caller.require_admin()?;
        store::instances::list(&self.db, limit, offset).await
    }

    /// The caller's own instance (secret key).
    pub async fn instance(&self, caller: &Caller) -> Result<Instance> {
        let instance = caller.require_backend()?;
        store::instances::get(&self.db, &instance.id).await
    }

    /// The instance a caller may manage: any for the admin, only its own for a secret key.
    /// Another instance's id is `NOT_FOUND` for a secret key, as if it did not exist.
    async fn managed_instance(
        &self,
        caller: &Caller,
        instance_id: Option<&str>,
    ) -> Result<Instance> {
        match (caller, instance_id) {
            (Caller::PlatformAdmin, Some(id)) => store::instances::get(&self.db, id).await,
            (Caller::PlatformAdmin, None) => Err(Error::validation("instanceId", "is required")),
            (Caller::Backend { instance, .. }, id) => {
                if id.is_some_and(|id| id != instance.id) {
                    return Err(Error::NotFound("instance"));
                }
                store::instances::get(&self.db, &instance.id).await
            }
            (Caller::Anonymous, _) => Err(Error::Unauthenticated("a secret key is required")),
            (Caller::Frontend { .. } | Caller::User { .. }, _) => {
                Err(Error::Forbidden("this needs a secret key"))
            }
        }
    }

    /// The secret keys of an instance, without their values.
    pub async fn secret_keys(&self, caller: &Caller, instance_id: &str) -> Result<Vec<SecretKey>> {
        let instance = self.managed_instance(caller, Some(instance_id)).await?;
        store::secret_keys::list(&self.db, &instance.id).await
    }

    /// A new secret key, shown once.
    pub async fn create_secret_key(
        &self,
        caller: &Caller,
        instance_id: Option<&str>,
        name: Option<&str>,
    ) -> Result<CreatedSecretKey> {
        let name = validate_key_name(name)?;
        let instance = self.managed_instance(caller, instance_id).await?;
        self.insert_secret_key(&self.db, &instance, name).await
    }

    /// Revokes a secret key: from now on it is `UNAUTHENTICATED`.
    pub async fn revoke_secret_key(&self, caller: &Caller, key_id: &str) -> Result<SecretKey> {
        let instance_id = match caller {
            Caller::PlatformAdmin => store::secret_keys::instance_of(&self.db, key_id).await?,
            _ => self.managed_instance(caller, None).await?.id,
        };
        let key = store::secret_keys::revoke(&self.db, &instance_id, key_id, self.now()).await?;
        tracing::info!(instance_id = %instance_id, key_id = %key.id, "revoked a secret key");
        Ok(key)
    }

    /// Refuses a sender address outside the domains this server sends from.
    fn check_sender(&self, settings: &crate::model::settings::InstanceSettings) -> Result<()> {
        let Some(address) = &settings.mail.from_address else {
            return Ok(());
        };
        let allowed = self.config.mail.allowed_domains();
        match crate::platform::domain_of(address) {
            Some(domain) if allowed.contains(&domain) => Ok(()),
            _ => Err(Error::validation(
                "mail.fromAddress",
                format!(
                    "this server sends only from these domains: {} (LATCHKEY_MAIL_FROM_DOMAINS)",
                    allowed.join(", ")
                ),
            )),
        }
    }

    /// Applies a JSON merge patch to the caller's instance settings, validated whole.
    pub async fn update_instance_settings(
        &self,
        caller: &Caller,
        instance_id: Option<&str>,
        patch: serde_json::Value,
    ) -> Result<Instance> {
        // Read, patch, write only if nobody wrote in between; otherwise read again. Two admins
        // changing different fields at once both keep their change.
        for _ in 0..8 {
            let current = self.managed_instance(caller, instance_id).await?;
            let settings = current.settings.patched(patch.clone())?;
            self.check_sender(&settings)?;
            let now = self
                .now()
                .max(current.updated_at + chrono::Duration::microseconds(1));
            if store::instances::update_settings_if_unchanged(
                &self.db,
                &current.id,
                current.updated_at,
                &settings,
                now,
            )
            .await?
            {
                self.instances.forget(&current.id);
                let updated = store::instances::get(&self.db, &current.id).await?;
                if updated.settings.tokens.algorithm != current.settings.tokens.algorithm {
                    // New tokens use the new algorithm at once; the old key stays published
                    // until its tokens expire.
                    // If this fails, the saved settings stand: the key ring makes the key fit
                    // them the next time it reads the keys.
                    if let Err(err) = self
                        .services
                        .keys
                        .rotate(&self.db, &updated, updated.settings.tokens.algorithm, now)
                        .await
                    {
                        tracing::error!(error = %err, instance_id = %updated.id, "rotating to the new signing algorithm failed; it happens when the keys are next read");
                    }
                }
                return Ok(updated);
            }
        }
        Err(Error::internal(
            "instance settings kept changing under a concurrent update",
        ))
    }
}
