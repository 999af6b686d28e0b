//! Instances: create, read, list, update settings.

use chrono::{DateTime, Utc};
use latchkey_entities::instance;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::model::instance::{Environment, Instance};
use crate::model::settings::InstanceSettings;
use crate::{Error, Result};

pub(crate) fn to_model(row: instance::Model) -> Result<Instance> {
    Ok(Instance {
        environment: Environment::parse(&row.environment)?,
        settings: InstanceSettings::from_stored(&row.settings)?,
        id: row.id,
        name: row.name,
        publishable_key: row.publishable_key,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// Writes a new instance.
pub async fn insert(db: &impl ConnectionTrait, instance: &Instance) -> Result<()> {
    instance::ActiveModel {
        id: Set(instance.id.clone()),
        name: Set(instance.name.clone()),
        environment: Set(instance.environment.as_str().to_owned()),
        publishable_key: Set(instance.publishable_key.clone()),
        settings: Set(instance.settings.to_stored()?),
        created_at: Set(instance.created_at),
        updated_at: Set(instance.updated_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A page of the instances, oldest first (platform admin only).
pub async fn list(db: &impl ConnectionTrait, limit: u64, offset: u64) -> Result<Vec<Instance>> {
    instance::Entity::find()
        .order_by_asc(instance::Column::CreatedAt)
        .order_by_asc(instance::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?
        .into_iter()
        .map(to_model)
        .collect()
}

/// One instance by id.
pub async fn get(db: &impl ConnectionTrait, instance_id: &str) -> Result<Instance> {
    instance::Entity::find_by_id(instance_id.to_owned())
        .one(db)
        .await?
        .ok_or(Error::NotFound("instance"))
        .and_then(to_model)
}

/// The instance a publishable key names, if any.
pub async fn find_by_publishable_key(
    db: &impl ConnectionTrait,
    publishable_key: &str,
) -> Result<Option<Instance>> {
    instance::Entity::find()
        .filter(instance::Column::PublishableKey.eq(publishable_key))
        .one(db)
        .await?
        .map(to_model)
        .transpose()
}

/// Replaces an instance's settings.
pub async fn update_settings(
    db: &impl ConnectionTrait,
    instance_id: &str,
    settings: &InstanceSettings,
    now: DateTime<Utc>,
) -> Result<Instance> {
    let row = instance::ActiveModel {
        id: Set(instance_id.to_owned()),
        settings: Set(settings.to_stored()?),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(db)
    .await
    .map_err(|err| match err {
        sea_orm::DbErr::RecordNotUpdated => Error::NotFound("instance"),
        other => other.into(),
    })?;
    to_model(row)
}

/// Whether any instance exists.
pub async fn any(db: &impl ConnectionTrait) -> Result<bool> {
    Ok(instance::Entity::find().one(db).await?.is_some())
}
