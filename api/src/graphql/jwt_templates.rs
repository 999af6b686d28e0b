//! JWT templates in GraphQL (backend scope): `jwtTemplates`, `createJwtTemplate`,
//! `updateJwtTemplate`, `deleteJwtTemplate`.

use async_graphql::{Context, ID, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use latchkey_domain::jwt_templates::{JwtTemplate as DomainTemplate, TemplateInput};

use super::{GqlResult, ResultExt, scope};

/// A named set of claims a frontend can ask a token for
/// (`createSessionToken(sessionId, template: "name")`).
#[derive(SimpleObject)]
pub struct JwtTemplate {
    /// The template's id (`jtmp_…`).
    pub id: ID,
    /// The name frontends ask for.
    pub name: String,
    /// The claims, whose strings may hold shortcodes such as `{{user.id}}` or
    /// `{{user.public_metadata.plan || 'free'}}`.
    pub claims: Json<serde_json::Value>,
    /// How long its tokens live, in seconds.
    pub lifetime: i32,
    /// How far `nbf` lies before `iat`, in seconds.
    pub allowed_clock_skew: i32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<DomainTemplate> for JwtTemplate {
    fn from(t: DomainTemplate) -> Self {
        Self {
            id: ID(t.id),
            name: t.name,
            claims: Json(t.claims),
            lifetime: i32::try_from(t.lifetime_seconds).unwrap_or(i32::MAX),
            allowed_clock_skew: i32::try_from(t.allowed_clock_skew_seconds).unwrap_or(i32::MAX),
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

fn seconds(field: &'static str, value: Option<i32>) -> GqlResult<Option<u32>> {
    value
        .map(|v| {
            u32::try_from(v)
                .map_err(|_| latchkey_domain::Error::validation(field, "must not be negative"))
        })
        .transpose()
        .gql()
}

fn input(
    name: Option<String>,
    claims: Option<Json<serde_json::Value>>,
    lifetime: Option<i32>,
    allowed_clock_skew: Option<i32>,
) -> GqlResult<TemplateInput> {
    Ok(TemplateInput {
        lifetime_seconds: seconds("lifetime", lifetime)?,
        allowed_clock_skew_seconds: seconds("allowedClockSkew", allowed_clock_skew)?,
        name,
        claims: claims.map(|c| c.0),
    })
}

/// Template queries.
#[derive(Default)]
pub struct JwtTemplateQuery;

#[Object]
impl JwtTemplateQuery {
    /// The instance's JWT templates, by name (backend scope).
    async fn jwt_templates(&self, ctx: &Context<'_>) -> GqlResult<Vec<JwtTemplate>> {
        let (platform, caller) = scope(ctx)?;
        let templates = platform.jwt_templates(caller).await.gql()?;
        Ok(templates.into_iter().map(JwtTemplate::from).collect())
    }
}

/// Template mutations.
#[derive(Default)]
pub struct JwtTemplateMutation;

#[Object]
impl JwtTemplateMutation {
    /// Creates a JWT template (backend scope). Its claims are parsed now: a bad shortcode is
    /// `VALIDATION_FAILED` naming where it is; a name in use is `IDENTIFIER_EXISTS`.
    async fn create_jwt_template(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "1 to 64 letters, digits, `-` or `_`; unique in the instance.")]
        name: String,
        #[graphql(
            desc = "A JSON object of claims whose strings may hold shortcodes; `sub`, `iss`, `azp`, `iat`, `exp`, `nbf`, `jti`, `sid`, `v` and `o` cannot be set."
        )]
        claims: Json<serde_json::Value>,
        #[graphql(desc = "How long its tokens live: 30 to 86400 seconds (default 60).")]
        lifetime: Option<i32>,
        #[graphql(desc = "How far `nbf` lies before `iat`: 0 to 60 seconds (default 5).")]
        allowed_clock_skew: Option<i32>,
    ) -> GqlResult<JwtTemplate> {
        let (platform, caller) = scope(ctx)?;
        let input = input(Some(name), Some(claims), lifetime, allowed_clock_skew)?;
        let created = platform.create_jwt_template(caller, input).await.gql()?;
        Ok(created.into())
    }

    /// Changes a JWT template (backend scope); what is left out stays.
    async fn update_jwt_template(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The template's id.")] id: ID,
        #[graphql(desc = "A new name.")] name: Option<String>,
        #[graphql(desc = "New claims.")] claims: Option<Json<serde_json::Value>>,
        #[graphql(desc = "A new lifetime in seconds.")] lifetime: Option<i32>,
        #[graphql(desc = "A new clock skew in seconds.")] allowed_clock_skew: Option<i32>,
    ) -> GqlResult<JwtTemplate> {
        let (platform, caller) = scope(ctx)?;
        let input = input(name, claims, lifetime, allowed_clock_skew)?;
        let updated = platform
            .update_jwt_template(caller, &id, input)
            .await
            .gql()?;
        Ok(updated.into())
    }

    /// Deletes a JWT template (backend scope); gives it as it was.
    async fn delete_jwt_template(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The template's id.")] id: ID,
    ) -> GqlResult<JwtTemplate> {
        let (platform, caller) = scope(ctx)?;
        Ok(platform
            .delete_jwt_template(caller, &id)
            .await
            .gql()?
            .into())
    }
}
