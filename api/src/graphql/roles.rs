//! The instance's organization roles and permissions in GraphQL.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use latchkey_domain::model::organization as model;
use latchkey_domain::roles::RoleInput;

use super::objects::DeletedObject;
use super::{GqlResult, ResultExt, scope};

/// A role members hold in organizations.
#[derive(SimpleObject)]
pub struct Role {
    /// The role's id.
    pub id: ID,
    /// Its key, such as `org:admin`.
    pub key: String,
    /// Its name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// The permissions it grants.
    pub permissions: Vec<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<model::Role> for Role {
    fn from(r: model::Role) -> Self {
        Self {
            id: ID(r.id),
            key: r.key,
            name: r.name,
            description: r.description,
            permissions: r.permissions,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A permission: a system one (`org:sys_…`) or a custom one of the instance.
#[derive(SimpleObject)]
pub struct Permission {
    /// Its id (a system permission's is its key).
    pub id: ID,
    /// Its key, such as `org:invoices:read`.
    pub key: String,
    /// Its name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Whether it is a system permission.
    pub system: bool,
    /// When it was created (custom ones).
    pub created_at: Option<DateTime<Utc>>,
}

impl From<model::Permission> for Permission {
    fn from(p: model::Permission) -> Self {
        Self {
            id: ID(p.id),
            key: p.key,
            name: p.name,
            description: p.description,
            system: p.system,
            created_at: p.created_at,
        }
    }
}

/// Role and permission queries.
#[derive(Default)]
pub struct RoleQuery;

#[Object]
impl RoleQuery {
    /// The instance's roles (secret key, or a signed-in user).
    async fn roles(&self, ctx: &Context<'_>) -> GqlResult<Vec<Role>> {
        let (platform, caller) = scope(ctx)?;
        Ok(platform
            .roles(caller)
            .await
            .gql()?
            .into_iter()
            .map(Role::from)
            .collect())
    }

    /// The system permissions, then the instance's custom ones (secret key).
    async fn permissions(&self, ctx: &Context<'_>) -> GqlResult<Vec<Permission>> {
        let (platform, caller) = scope(ctx)?;
        Ok(platform
            .permissions(caller)
            .await
            .gql()?
            .into_iter()
            .map(Permission::from)
            .collect())
    }
}

/// Role and permission mutations (secret key).
#[derive(Default)]
pub struct RoleMutation;

#[Object]
impl RoleMutation {
    /// Creates a role `org:<name>` with permissions of the instance.
    async fn create_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The key, `org:<name>` of `[a-z0-9_]`.")] key: String,
        #[graphql(desc = "Its name.")] name: String,
        #[graphql(desc = "What it is for.")] description: Option<String>,
        #[graphql(desc = "The permission keys it grants.")] permissions: Option<Vec<String>>,
    ) -> GqlResult<Role> {
        let (platform, caller) = scope(ctx)?;
        let input = RoleInput {
            name: Some(name),
            description,
            permissions,
        };
        Ok(platform
            .create_role(caller, &key, input)
            .await
            .gql()?
            .into())
    }

    /// Changes a role; given `permissions` replace its list. Tokens of its members follow at
    /// their next refresh.
    async fn update_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The role's key.")] key: String,
        #[graphql(desc = "A new name.")] name: Option<String>,
        #[graphql(desc = "A new description.")] description: Option<String>,
        #[graphql(desc = "The new permission keys.")] permissions: Option<Vec<String>>,
    ) -> GqlResult<Role> {
        let (platform, caller) = scope(ctx)?;
        let input = RoleInput {
            name,
            description,
            permissions,
        };
        Ok(platform
            .update_role(caller, &key, input)
            .await
            .gql()?
            .into())
    }

    /// Deletes a role no membership or pending invitation carries (never a default one).
    async fn delete_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The role's key.")] key: String,
    ) -> GqlResult<Role> {
        let (platform, caller) = scope(ctx)?;
        Ok(platform.delete_role(caller, &key).await.gql()?.into())
    }

    /// Creates a custom permission `org:<feature>:<permission>`.
    async fn create_permission(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The key, `org:<feature>:<permission>`.")] key: String,
        #[graphql(desc = "Its name.")] name: String,
        #[graphql(desc = "What it is for.")] description: Option<String>,
    ) -> GqlResult<Permission> {
        let (platform, caller) = scope(ctx)?;
        Ok(platform
            .create_permission(caller, &key, &name, description.as_deref())
            .await
            .gql()?
            .into())
    }

    /// Deletes a custom permission; every role loses it.
    async fn delete_permission(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The permission's id.")] id: ID,
    ) -> GqlResult<DeletedObject> {
        let (platform, caller) = scope(ctx)?;
        platform.delete_permission(caller, &id).await.gql()?;
        Ok(DeletedObject { id, deleted: true })
    }
}
