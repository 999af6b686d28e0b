//! `environment`: what a frontend must know before any call (publishable key; no session).

use async_graphql::{Context, ID, Object};
use latchkey_domain::environment::FrontendEnvironment;
use latchkey_domain::model::settings::FieldRequirement as DomainRequirement;

use super::instances::InstanceEnvironment;
use super::settings::{PasswordSettings, Settings, SignUpSettings};
use super::sign_in::{FirstFactorStrategy, SecondFactorStrategy};
use super::{GqlResult, ResultExt, scope};

/// Frontend queries about the instance itself.
#[derive(Default)]
pub struct EnvironmentQuery;

#[Object]
impl EnvironmentQuery {
    /// What a frontend must know before its first call: the instance, where its tokens come
    /// from, and what sign-up and sign-in offer (frontend scope: the publishable key; no client
    /// or session needed). The browser SDK loads it once.
    async fn environment(&self, ctx: &Context<'_>) -> GqlResult<Environment> {
        let (platform, caller) = scope(ctx)?;
        let environment = platform.environment(caller).gql()?;
        let settings = Settings::from(&environment.instance.settings);
        Ok(Environment {
            environment,
            settings,
        })
    }
}

/// An instance as its frontends see it before anyone signs in.
pub struct Environment {
    environment: FrontendEnvironment,
    settings: Settings,
}

/// An instance as its frontends see it before anyone signs in: `environment`.
#[Object]
impl Environment {
    /// The instance's id (`ins_…`).
    async fn instance_id(&self) -> ID {
        ID(self.environment.instance.id.clone())
    }

    /// The instance's name.
    async fn name(&self) -> &str {
        &self.environment.instance.name
    }

    /// Development or production: a development instance hands a cross-site browser its client
    /// token; a production one keeps the client in its cookie only.
    async fn instance_environment(&self) -> InstanceEnvironment {
        self.environment.instance.environment.into()
    }

    /// The instance's logo, when it has one.
    async fn logo_url(&self) -> Option<&str> {
        self.settings.logo_url.as_deref()
    }

    /// The `iss` of the instance's session tokens (`{publicUrl}/i/{instanceId}`); its keys are
    /// at `{issuer}/.well-known/jwks.json`.
    async fn issuer(&self) -> &str {
        &self.environment.issuer
    }

    /// The base of the instance's Account Portal: its pages are `/sign-in`, `/sign-up`,
    /// `/user` and `/organization` below it.
    async fn account_portal_url(&self) -> &str {
        &self.environment.account_portal_url
    }

    /// What sign-up asks for, and who may sign up.
    async fn sign_up(&self) -> &SignUpSettings {
        &self.settings.sign_up
    }

    /// The password policy a new password must meet.
    async fn password_policy(&self) -> &PasswordSettings {
        &self.settings.password
    }

    /// The first factors a sign-in may offer (each user's own are in the sign-in's
    /// `supportedFirstFactors`).
    async fn first_factors(&self) -> Vec<FirstFactorStrategy> {
        let passwords =
            self.environment.instance.settings.sign_up.password != DomainRequirement::Off;
        let mut factors = Vec::new();
        if passwords {
            factors.push(FirstFactorStrategy::Password);
        }
        factors.push(FirstFactorStrategy::EmailCode);
        if passwords {
            factors.push(FirstFactorStrategy::ResetPasswordEmailCode);
        }
        factors
    }

    /// The second factors users may enrol and a sign-in may then ask for.
    async fn second_factors(&self) -> Vec<SecondFactorStrategy> {
        vec![SecondFactorStrategy::Totp, SecondFactorStrategy::BackupCode]
    }

    /// Whether one browser may hold several signed-in sessions at once.
    async fn multi_session(&self) -> bool {
        self.environment.instance.settings.sessions.multi_session
    }

    /// Whether signed-in users may delete their own account (`deleteMe`).
    async fn delete_self_enabled(&self) -> bool {
        self.environment.instance.settings.users.delete_self_enabled
    }

    /// Whether the instance has organizations.
    async fn organizations_enabled(&self) -> bool {
        self.environment.instance.settings.organizations.enabled
    }

    /// How long a sensitive change may follow the last verification of a factor, in seconds
    /// (past it, `REVERIFICATION_REQUIRED`).
    async fn reverification_window_seconds(&self) -> u32 {
        self.environment
            .instance
            .settings
            .sessions
            .reverification_window_seconds
    }
}
