//! Organizations: the backend manages every one of its instance; a signed-in user creates them
//! (when the instance allows it) and manages those it is a member of as its role allows.

use async_graphql::{Context, Enum, ID, InputObject, Json, MaybeUndefined, Object};
use chrono::{DateTime, Utc};
use latchkey_domain::Error;
use latchkey_domain::model::caller::Caller;
use latchkey_domain::model::organization as model;
use latchkey_domain::organizations::{NewOrganization, OrganizationUpdate};
use latchkey_domain::store::organizations::{OrganizationFilter, OrganizationOrder};
use serde_json::Value;

use super::objects::DeletedObject;
use super::{GqlResult, ResultExt, scope};

/// An organization.
pub struct Organization(pub(crate) model::Organization);

/// An organization of the instance.
#[Object]
impl Organization {
    /// The organization's id (`org_…`).
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    /// Its name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Its slug: lowercase, unique in the instance.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// Its image.
    async fn image_url(&self) -> Option<&str> {
        self.0.image_url.as_deref()
    }

    /// The user who created it, if a user did.
    async fn created_by(&self) -> Option<ID> {
        self.0.created_by.clone().map(ID)
    }

    /// Metadata the backend writes and members read.
    async fn public_metadata(&self) -> Json<Value> {
        Json(self.0.public_metadata.clone())
    }

    /// Metadata only the backend reads: `FORBIDDEN` for anyone else.
    async fn private_metadata(&self, ctx: &Context<'_>) -> GqlResult<Json<Value>> {
        let (_, caller) = scope(ctx)?;
        match caller {
            Caller::Backend { instance, .. } if instance.id == self.0.instance_id => {
                Ok(Json(self.0.private_metadata.clone()))
            }
            _ => Err(Error::Forbidden("private metadata is for the backend only")).gql(),
        }
    }

    /// How many memberships it allows, pending invitations included (0: no limit).
    async fn max_allowed_memberships(&self) -> u32 {
        self.0.max_allowed_memberships
    }

    /// How many members it has (for those who may read its members).
    async fn members_count(&self, ctx: &Context<'_>) -> GqlResult<u64> {
        let (platform, caller) = scope(ctx)?;
        platform
            .count_organization_memberships(caller, &self.0.id)
            .await
            .gql()
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// The order of a list of organizations; ties go by id.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationOrderBy {
    /// Newest first (the default).
    CreatedAtDesc,
    /// Oldest first.
    CreatedAtAsc,
    /// By name, A to Z.
    NameAsc,
    /// By name, Z to A.
    NameDesc,
}

impl From<OrganizationOrderBy> for OrganizationOrder {
    fn from(o: OrganizationOrderBy) -> Self {
        match o {
            OrganizationOrderBy::CreatedAtDesc => Self::CreatedAtDesc,
            OrganizationOrderBy::CreatedAtAsc => Self::CreatedAtAsc,
            OrganizationOrderBy::NameAsc => Self::NameAsc,
            OrganizationOrderBy::NameDesc => Self::NameDesc,
        }
    }
}

/// A page of organizations.
pub struct OrganizationList {
    data: Vec<model::Organization>,
    filter: OrganizationFilter,
}

/// A page of organizations.
#[Object]
impl OrganizationList {
    /// The organizations of this page.
    async fn data(&self) -> Vec<Organization> {
        self.data.iter().cloned().map(Organization).collect()
    }

    /// How many organizations pass the filter (counted only when asked for).
    async fn total_count(&self, ctx: &Context<'_>) -> GqlResult<u64> {
        let (platform, caller) = scope(ctx)?;
        platform
            .count_organizations(caller, &self.filter)
            .await
            .gql()
    }
}

/// Changes to an organization: fields left out stay as they are.
#[derive(InputObject, Default)]
pub struct UpdateOrganizationInput {
    /// A new name.
    pub name: Option<String>,
    /// A new slug (lowercase `[a-z0-9-]`, unique in the instance).
    pub slug: Option<String>,
    /// A new image URL, or `null` for none.
    pub image_url: MaybeUndefined<String>,
    /// Replaces the public metadata (backend only).
    pub public_metadata: Option<Json<Value>>,
    /// Replaces the private metadata (backend only).
    pub private_metadata: Option<Json<Value>>,
    /// A new membership limit (backend only; 0: no limit).
    pub max_allowed_memberships: Option<u32>,
}

/// Organization queries.
#[derive(Default)]
pub struct OrganizationQuery;

#[Object]
impl OrganizationQuery {
    /// One organization by id or by slug: for the backend, or for one of its members
    /// (`NOT_FOUND` for anyone else).
    async fn organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's id.")] id: Option<ID>,
        #[graphql(desc = "Or its slug.")] slug: Option<String>,
    ) -> GqlResult<Organization> {
        let (platform, caller) = scope(ctx)?;
        let found = platform
            .organization(caller, id.as_ref().map(|i| i.as_str()), slug.as_deref())
            .await
            .gql()?;
        Ok(Organization(found))
    }

    /// A page of the instance's organizations (secret key).
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A case-insensitive part of the name or slug, or the whole id.")]
        query: Option<String>,
        #[graphql(desc = "Only organizations this user is a member of.")] user_id: Option<ID>,
        #[graphql(desc = "The order (default: newest first).")] order_by: Option<
            OrganizationOrderBy,
        >,
        #[graphql(desc = "1 to 500 (default 10).")] limit: Option<i64>,
        #[graphql(desc = "How many to skip (default 0).")] offset: Option<i64>,
    ) -> GqlResult<OrganizationList> {
        let (platform, caller) = scope(ctx)?;
        let filter = OrganizationFilter {
            query: query.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty()),
            user_id: user_id.map(|id| id.0),
        };
        let order = order_by
            .unwrap_or(OrganizationOrderBy::CreatedAtDesc)
            .into();
        let data = platform
            .organizations(caller, &filter, order, limit, offset)
            .await
            .gql()?;
        Ok(OrganizationList { data, filter })
    }
}

/// Organization mutations.
#[derive(Default)]
pub struct OrganizationMutation;

#[Object]
impl OrganizationMutation {
    /// Creates an organization. The backend may name its creator (who becomes `org:admin`)
    /// and set metadata and the membership limit; a signed-in user (when the instance allows
    /// it) becomes its `org:admin`. The slug comes from the name when left out;
    /// `IDENTIFIER_EXISTS` when it is taken.
    #[allow(clippy::too_many_arguments)]
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its name (1–256 characters).")] name: String,
        #[graphql(desc = "Its slug: lowercase `[a-z0-9-]`, unique in the instance.")] slug: Option<
            String,
        >,
        #[graphql(desc = "Its creator, who becomes `org:admin` (backend).")] created_by: Option<ID>,
        #[graphql(desc = "Its image URL.")] image_url: Option<String>,
        #[graphql(desc = "Public metadata (backend; at most 8 KiB).")] public_metadata: Option<
            Json<Value>,
        >,
        #[graphql(desc = "Private metadata (backend; at most 8 KiB).")] private_metadata: Option<
            Json<Value>,
        >,
        #[graphql(desc = "The membership limit (backend; default from the settings).")]
        max_allowed_memberships: Option<u32>,
    ) -> GqlResult<Organization> {
        let (platform, caller) = scope(ctx)?;
        let input = NewOrganization {
            name,
            slug,
            created_by: created_by.map(|id| id.0),
            image_url,
            public_metadata: public_metadata.map(|j| j.0),
            private_metadata: private_metadata.map(|j| j.0),
            max_allowed_memberships,
        };
        Ok(Organization(
            platform.create_organization(caller, input).await.gql()?,
        ))
    }

    /// Changes an organization (backend, or a member with `org:sys_profile:manage`).
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's id.")] id: ID,
        #[graphql(desc = "The changes.")] input: UpdateOrganizationInput,
    ) -> GqlResult<Organization> {
        let (platform, caller) = scope(ctx)?;
        let update = OrganizationUpdate {
            name: input.name,
            slug: input.slug,
            image_url: super::objects::tri(input.image_url),
            public_metadata: input.public_metadata.map(|j| j.0),
            private_metadata: input.private_metadata.map(|j| j.0),
            max_allowed_memberships: input.max_allowed_memberships,
        };
        Ok(Organization(
            platform
                .update_organization(caller, &id, update)
                .await
                .gql()?,
        ))
    }

    /// Deep-merges into an organization's metadata (secret key): `null` deletes a key; each
    /// result must stay within 8 KiB.
    async fn update_organization_metadata(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's id.")] id: ID,
        #[graphql(desc = "Merged into the public metadata.")] public_metadata: Option<Json<Value>>,
        #[graphql(desc = "Merged into the private metadata.")] private_metadata: Option<
            Json<Value>,
        >,
    ) -> GqlResult<Organization> {
        let (platform, caller) = scope(ctx)?;
        Ok(Organization(
            platform
                .update_organization_metadata(
                    caller,
                    &id,
                    public_metadata.map(|j| j.0),
                    private_metadata.map(|j| j.0),
                )
                .await
                .gql()?,
        ))
    }

    /// Deletes an organization with its memberships and invitations (backend, or a member
    /// with `org:sys_profile:delete`); no session keeps it active.
    async fn delete_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's id.")] id: ID,
    ) -> GqlResult<DeletedObject> {
        let (platform, caller) = scope(ctx)?;
        platform.delete_organization(caller, &id).await.gql()?;
        Ok(DeletedObject { id, deleted: true })
    }
}
