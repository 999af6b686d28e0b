//! Instances: create, read, list, update settings.

use chrono::{DateTime, Utc};
use latchkey_entities::instance;
use sea_orm::sea_query::Expr;
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

/// Replaces an instance's settings if they are still the version read at `read_at` (its
/// `updated_at`); `false` when another change came first and the caller must read again.
pub async fn update_settings_if_unchanged(
    db: &impl ConnectionTrait,
    instance_id: &str,
    read_at: DateTime<Utc>,
    settings: &InstanceSettings,
    now: DateTime<Utc>,
) -> Result<bool> {
    let updated = instance::Entity::update_many()
        .col_expr(
            instance::Column::Settings,
            Expr::value(settings.to_stored()?),
        )
        .col_expr(instance::Column::UpdatedAt, Expr::value(now))
        .filter(instance::Column::Id.eq(instance_id))
        .filter(instance::Column::UpdatedAt.eq(read_at))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Whether any instance exists.
pub async fn any(db: &impl ConnectionTrait) -> Result<bool> {
    Ok(instance::Entity::find().one(db).await?.is_some())
}
