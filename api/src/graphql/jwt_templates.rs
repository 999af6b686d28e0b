//! JWT templates in GraphQL (backend scope): `jwtTemplates`, `createJwtTemplate`,
//! `updateJwtTemplate`, `deleteJwtTemplate`.

use async_graphql::{Context, ID, InputObject, Json, Object, SimpleObject};
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

/// The fields of a template; on an update, what is left out stays.
#[derive(InputObject)]
pub struct JwtTemplateInput {
    /// 1 to 64 letters, digits, `-` or `_`; unique in the instance.
    pub name: Option<String>,
    /// A JSON object of claims; `sub`, `iss`, `azp`, `iat`, `exp`, `nbf` and `jti` are the
    /// token's own and cannot be set.
    pub claims: Option<Json<serde_json::Value>>,
    /// Seconds, 30 to 86400 (default 60).
    pub lifetime: Option<i32>,
    /// Seconds, 0 to 60 (default 5).
    pub allowed_clock_skew: Option<i32>,
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

impl JwtTemplateInput {
    fn into_domain(self) -> GqlResult<TemplateInput> {
        Ok(TemplateInput {
            lifetime_seconds: seconds("lifetime", self.lifetime)?,
            allowed_clock_skew_seconds: seconds("allowedClockSkew", self.allowed_clock_skew)?,
            name: self.name,
            claims: self.claims.map(|c| c.0),
        })
    }
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
        #[graphql(desc = "The template; `name` and `claims` are required.")]
        input: JwtTemplateInput,
    ) -> GqlResult<JwtTemplate> {
        let (platform, caller) = scope(ctx)?;
        let input = input.into_domain()?;
        if input.name.is_none() || input.claims.is_none() {
            return Err(latchkey_domain::Error::validation(
                "input",
                "a new template needs a name and claims",
            ))
            .gql();
        }
        let created = platform.create_jwt_template(caller, input).await.gql()?;
        Ok(created.into())
    }

    /// Changes a JWT template (backend scope); what is left out stays.
    async fn update_jwt_template(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The template's id.")] id: ID,
        #[graphql(desc = "The changes.")] input: JwtTemplateInput,
    ) -> GqlResult<JwtTemplate> {
        let (platform, caller) = scope(ctx)?;
        let updated = platform
            .update_jwt_template(caller, &id, input.into_domain()?)
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
