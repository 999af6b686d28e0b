//! JWT templates of an instance.

use latchkey_entities::jwt_template;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::model::jwt_template::JwtTemplate;
use crate::{Error, Result};

fn to_model(row: jwt_template::Model) -> Result<JwtTemplate> {
    Ok(JwtTemplate {
        claims: serde_json::from_str(&row.claims).map_err(Error::internal)?,
        lifetime_seconds: u32::try_from(row.lifetime_seconds).map_err(Error::internal)?,
        allowed_clock_skew_seconds: u32::try_from(row.allowed_clock_skew_seconds)
            .map_err(Error::internal)?,
        id: row.id,
        instance_id: row.instance_id,
        name: row.name,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn to_row(t: &JwtTemplate) -> jwt_template::ActiveModel {
    jwt_template::ActiveModel {
        id: Set(t.id.clone()),
        instance_id: Set(t.instance_id.clone()),
        name: Set(t.name.clone()),
        claims: Set(t.claims.to_string()),
        lifetime_seconds: Set(i32::try_from(t.lifetime_seconds).unwrap_or(i32::MAX)),
        allowed_clock_skew_seconds: Set(
            i32::try_from(t.allowed_clock_skew_seconds).unwrap_or(i32::MAX)
        ),
        created_at: Set(t.created_at),
        updated_at: Set(t.updated_at),
    }
}

fn name_taken(err: sea_orm::DbErr) -> Error {
    if super::is_unique_violation(&err) {
        Error::IdentifierExists {
            field: "name".to_owned(),
        }
    } else {
        Error::internal(err)
    }
}

/// Writes a new template; a name the instance already uses is `IDENTIFIER_EXISTS`.
pub async fn insert(db: &impl ConnectionTrait, t: &JwtTemplate) -> Result<()> {
    to_row(t).insert(db).await.map_err(name_taken)?;
    Ok(())
}

/// Writes a changed template of its instance; a name the instance already uses is
/// `IDENTIFIER_EXISTS`, a template deleted meanwhile `NOT_FOUND`.
pub async fn update(db: &impl ConnectionTrait, t: &JwtTemplate) -> Result<()> {
    use sea_orm::sea_query::Expr;
    let done = jwt_template::Entity::update_many()
        .col_expr(jwt_template::Column::Name, Expr::value(t.name.clone()))
        .col_expr(
            jwt_template::Column::Claims,
            Expr::value(t.claims.to_string()),
        )
        .col_expr(
            jwt_template::Column::LifetimeSeconds,
            Expr::value(i32::try_from(t.lifetime_seconds).unwrap_or(i32::MAX)),
        )
        .col_expr(
            jwt_template::Column::AllowedClockSkewSeconds,
            Expr::value(i32::try_from(t.allowed_clock_skew_seconds).unwrap_or(i32::MAX)),
        )
        .col_expr(jwt_template::Column::UpdatedAt, Expr::value(t.updated_at))
        .filter(jwt_template::Column::InstanceId.eq(t.instance_id.as_str()))
        .filter(jwt_template::Column::Id.eq(t.id.as_str()))
        .exec(db)
        .await
        .map_err(name_taken)?;
    if done.rows_affected == 1 {
        Ok(())
    } else {
        Err(Error::NotFound("JWT template"))
    }
}

/// Deletes a template; false when the instance has no such template.
pub async fn delete(db: &impl ConnectionTrait, instance_id: &str, id: &str) -> Result<bool> {
    let done = jwt_template::Entity::delete_many()
        .filter(jwt_template::Column::InstanceId.eq(instance_id))
        .filter(jwt_template::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// One template of the instance, by id.
pub async fn find(
    db: &impl ConnectionTrait,
    instance_id: &str,
    id: &str,
) -> Result<Option<JwtTemplate>> {
    jwt_template::Entity::find()
        .filter(jwt_template::Column::InstanceId.eq(instance_id))
        .filter(jwt_template::Column::Id.eq(id))
        .one(db)
        .await?
        .map(to_model)
        .transpose()
}

/// One template of the instance, by name.
pub async fn find_by_name(
    db: &impl ConnectionTrait,
    instance_id: &str,
    name: &str,
) -> Result<Option<JwtTemplate>> {
    jwt_template::Entity::find()
        .filter(jwt_template::Column::InstanceId.eq(instance_id))
        .filter(jwt_template::Column::Name.eq(name))
        .one(db)
        .await?
        .map(to_model)
        .transpose()
}

/// Every template of the instance, by name.
pub async fn list(db: &impl ConnectionTrait, instance_id: &str) -> Result<Vec<JwtTemplate>> {
    jwt_template::Entity::find()
        .filter(jwt_template::Column::InstanceId.eq(instance_id))
        .order_by_asc(jwt_template::Column::Name)
        .limit(1000)
        .all(db)
        .await?
        .into_iter()
        .map(to_model)
        .collect()
}

/// Whether the instance has any template.
pub async fn any(db: &impl ConnectionTrait, instance_id: &str) -> Result<bool> {
    Ok(jwt_template::Entity::find()
        .filter(jwt_template::Column::InstanceId.eq(instance_id))
        .one(db)
        .await?
        .is_some())
}
