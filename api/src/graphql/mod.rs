//! The GraphQL schema: one `…Query`/`…Mutation` per area, merged; built once at startup.

mod account;
mod api_keys;
mod client;
mod environment;
mod error;
pub mod events;
pub mod guard;
mod handoffs;
mod instances;
mod jwt_templates;
mod loaders;
mod memberships;
mod objects;
mod organizations;
pub mod parsed;
pub mod request_data;
mod reverification;
mod roles;
mod second_factors;
mod sessions;
mod settings;
mod sign_in;
mod sign_up;
mod user_admin;
mod users;
mod webhooks;

use std::sync::Arc;

use async_graphql::{Context, MergedObject, Schema};
use latchkey_domain::Platform;
use latchkey_domain::model::caller::Caller;

pub use error::{GqlResult, ResultExt, complete_codes, domain_error, extensions};

/// Every query of the API.
#[derive(MergedObject, Default)]
pub struct Query(
    instances::InstanceQuery,
    client::ClientQuery,
    environment::EnvironmentQuery,
    users::UserQuery,
    sessions::SessionQuery,
    jwt_templates::JwtTemplateQuery,
    api_keys::ApiKeyQuery,
    webhooks::WebhookQuery,
    organizations::OrganizationQuery,
    memberships::MembershipQuery,
    roles::RoleQuery,
);

/// Every mutation of the API.
#[derive(MergedObject, Default)]
pub struct Mutation(
    instances::InstanceMutation,
    sign_up::SignUpMutation,
    sign_in::SignInMutation,
    user_admin::UserMutation,
    account::AccountMutation,
    sessions::SessionMutation,
    jwt_templates::JwtTemplateMutation,
    api_keys::ApiKeyMutation,
    second_factors::SecondFactorMutation,
    reverification::ReverificationMutation,
    handoffs::HandoffMutation,
    webhooks::WebhookMutation,
    organizations::OrganizationMutation,
    memberships::MembershipMutation,
    roles::RoleMutation,
);

/// The executable schema.
pub type AppSchema = Schema<Query, Mutation, events::EventSubscription>;

/// Limits every operation is checked against before anything runs.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub depth: usize,
    pub complexity: usize,
    pub recursive_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            depth: 12,
            complexity: 500,
            recursive_depth: 32,
        }
    }
}

/// Builds the schema with the domain as its data; `suggestions` turns on "did you mean …".
pub fn build_schema(
    platform: Option<Arc<Platform>>,
    limits: Limits,
    suggestions: bool,
) -> AppSchema {
    let mut builder = Schema::build(
        Query::default(),
        Mutation::default(),
        events::EventSubscription,
    )
    .limit_depth(limits.depth)
    .limit_complexity(limits.complexity)
    .limit_recursive_depth(limits.recursive_depth);
    if !suggestions {
        builder = builder.disable_suggestions();
    }
    match platform {
        Some(platform) => builder.data(platform).finish(),
        None => builder.finish(),
    }
}

/// Both builds of the schema, built once at startup.
pub fn build_schemas(platform: Arc<Platform>, limits: Limits) -> guard::Schemas {
    guard::Schemas {
        open: build_schema(Some(platform.clone()), limits, true),
        restricted: build_schema(Some(platform), limits, false),
        parsed: Arc::default(),
    }
}

/// The SDL of the schema, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    build_schema(None, Limits::default(), true).sdl()
}

/// The domain and the caller of the current request.
pub(crate) fn scope<'a>(ctx: &Context<'a>) -> GqlResult<(&'a Arc<Platform>, &'a Caller)> {
    let platform = ctx
        .data::<Arc<Platform>>()
        .map_err(|_| domain_error(missing("platform")))?;
    let caller = ctx
        .data::<Caller>()
        .map_err(|_| domain_error(missing("caller")))?;
    Ok((platform, caller))
}

fn missing(what: &str) -> latchkey_domain::Error {
    latchkey_domain::Error::internal(format!("the {what} is missing from the GraphQL context"))
}
