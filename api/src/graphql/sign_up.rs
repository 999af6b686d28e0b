//! Sign-up in GraphQL: the mutations, and the `SignUp` type.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use latchkey_domain::Error;
use latchkey_domain::actors::client::Command;
use latchkey_domain::model::instance::Instance;
use latchkey_domain::model::sign_up::{self as domain, SignUpField};
use latchkey_domain::model::verification::Verification;
use latchkey_domain::rate_limit::LimitKind;

use super::client::{Client, run};
use super::objects::VerificationStatus;
use super::request_data::limit_ip;
use super::{GqlResult, ResultExt, scope};

/// Where a sign-up stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignUpStatus {
    /// Something required is missing or unverified.
    MissingRequirements,
    /// The user and a session were created.
    Complete,
    /// Left unfinished for 24 hours.
    Abandoned,
}

/// How a sign-up's email address is verified.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignUpVerificationStrategy {
    /// A 6-digit code sent by email.
    EmailCode,
}

/// The fields a sign-up takes. Fields the instance does not use are refused.
#[derive(InputObject, Default)]
pub struct SignUpInput {
    /// The email address (checked, unique per instance).
    pub email_address: Option<String>,
    /// The password, checked against the instance's policy and stored hashed.
    pub password: Option<String>,
    /// The username: 4–64 characters of `a-z`, `0-9`, `_` and `-`.
    pub username: Option<String>,
    /// The first name.
    pub first_name: Option<String>,
    /// The last name.
    pub last_name: Option<String>,
    /// A JSON object the user may write (at most 8 KiB).
    pub unsafe_metadata: Option<Json<serde_json::Value>>,
}

impl From<SignUpInput> for domain::SignUpInput {
    fn from(input: SignUpInput) -> Self {
        Self {
            email_address: input.email_address,
            password: input.password,
            username: input.username,
            first_name: input.first_name,
            last_name: input.last_name,
            unsafe_metadata: input.unsafe_metadata.map(|j| j.0),
        }
    }
}

/// An email-code verification.
#[derive(SimpleObject)]
pub struct SignUpVerification {
    /// Where it stands now.
    pub status: VerificationStatus,
    /// How it is done.
    pub strategy: SignUpVerificationStrategy,
    /// Wrong codes so far against the current code.
    pub attempts: i32,
    /// When the current code expires; null before one is sent.
    pub expire_at: Option<DateTime<Utc>>,
}

/// The verifications of a sign-up.
#[derive(SimpleObject)]
pub struct SignUpVerifications {
    /// The email address's verification; null until the sign-up has an address.
    pub email_address: Option<SignUpVerification>,
}

fn verification(v: &Verification, now: DateTime<Utc>) -> SignUpVerification {
    SignUpVerification {
        status: v.status_at(now).into(),
        strategy: SignUpVerificationStrategy::EmailCode,
        attempts: i32::try_from(v.attempts).unwrap_or(i32::MAX),
        expire_at: v.expire_at,
    }
}

fn names(fields: Vec<SignUpField>) -> Vec<String> {
    fields.into_iter().map(|f| f.as_str().to_owned()).collect()
}

/// A sign-up as the API shows it.
pub struct SignUp {
    pub(crate) sign_up: domain::SignUp,
    pub(crate) instance: Arc<Instance>,
}

/// Someone signing up: what the instance requires, what is still missing or unverified, and
/// (once complete) the user and session it created.
#[Object]
impl SignUp {
    /// The sign-up's id (`sua_…`).
    async fn id(&self) -> ID {
        ID(self.sign_up.id.clone())
    }

    /// Where the sign-up stands now.
    async fn status(&self, ctx: &Context<'_>) -> GqlResult<SignUpStatus> {
        let (platform, _) = scope(ctx)?;
        Ok(match self.sign_up.status_at(platform.now()) {
            domain::SignUpStatus::MissingRequirements => SignUpStatus::MissingRequirements,
            domain::SignUpStatus::Complete => SignUpStatus::Complete,
            domain::SignUpStatus::Abandoned => SignUpStatus::Abandoned,
        })
    }

    /// Fields the instance requires (`email_address`, `password`, `username`, `first_name`,
    /// `last_name`).
    async fn required_fields(&self) -> Vec<String> {
        names(domain::SignUp::required_fields(
            &self.instance.settings.sign_up,
        ))
    }

    /// Fields the instance asks for but does not require.
    async fn optional_fields(&self) -> Vec<String> {
        names(domain::SignUp::optional_fields(
            &self.instance.settings.sign_up,
        ))
    }

    /// Required fields not given yet.
    async fn missing_fields(&self) -> Vec<String> {
        names(self.sign_up.missing_fields(&self.instance.settings.sign_up))
    }

    /// Given fields not verified yet.
    async fn unverified_fields(&self) -> Vec<String> {
        names(self.sign_up.unverified_fields())
    }

    /// The email address, as given.
    async fn email_address(&self) -> Option<&str> {
        self.sign_up
            .email_address
            .as_ref()
            .map(|e| e.address.as_str())
    }

    /// The username, lowercase.
    async fn username(&self) -> Option<&str> {
        self.sign_up.username.as_deref()
    }

    /// The first name.
    async fn first_name(&self) -> Option<&str> {
        self.sign_up.first_name.as_deref()
    }

    /// The last name.
    async fn last_name(&self) -> Option<&str> {
        self.sign_up.last_name.as_deref()
    }

    /// Metadata the user wrote.
    async fn unsafe_metadata(&self) -> Json<serde_json::Value> {
        Json(self.sign_up.unsafe_metadata.clone())
    }

    /// The verifications of the sign-up's fields.
    async fn verifications(&self, ctx: &Context<'_>) -> GqlResult<SignUpVerifications> {
        let (platform, _) = scope(ctx)?;
        let now = platform.now();
        Ok(SignUpVerifications {
            email_address: self
                .sign_up
                .email_address
                .as_ref()
                .map(|_| verification(&self.sign_up.email_verification, now)),
        })
    }

    /// The user the sign-up created, once complete.
    async fn created_user_id(&self) -> Option<ID> {
        self.sign_up.created_user_id.clone().map(ID)
    }

    /// The session the sign-up created, once complete.
    async fn created_session_id(&self) -> Option<ID> {
        self.sign_up.created_session_id.clone().map(ID)
    }

    /// When an unfinished sign-up is abandoned.
    async fn abandon_at(&self) -> DateTime<Utc> {
        self.sign_up.abandon_at()
    }
}

async fn sign_up_of(ctx: &Context<'_>, command: Command, create: bool) -> GqlResult<SignUp> {
    let client = run(ctx, command, create)
        .await?
        .ok_or(Error::NotFound("sign-up"))
        .gql()?;
    let Client { client, instance } = client;
    let sign_up = client.sign_up.ok_or(Error::NotFound("sign-up")).gql()?;
    Ok(SignUp { sign_up, instance })
}

/// Sign-up mutations (frontend scope).
#[derive(Default)]
pub struct SignUpMutation;

#[Object]
impl SignUpMutation {
    /// Starts a sign-up on the calling client (a client is created when the caller has none; its
    /// token comes back in the `Latchkey-Client` header and the `__client_<instance id>` cookie).
    /// Completes at once when nothing is missing or unverified.
    async fn create_sign_up(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields to start with.")] input: SignUpInput,
    ) -> GqlResult<SignUp> {
        limit_ip(ctx, LimitKind::SignUp).await?;
        sign_up_of(ctx, Command::CreateSignUp(input.into()), true).await
    }

    /// Changes the client's sign-up in progress. Counts against the same per-IP limit as
    /// `createSignUp`.
    async fn update_sign_up(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields to set; absent fields are kept.")] input: SignUpInput,
    ) -> GqlResult<SignUp> {
        limit_ip(ctx, LimitKind::SignUp).await?;
        sign_up_of(ctx, Command::UpdateSignUp(input.into()), false).await
    }

    /// Sends a verification code to the sign-up's email address (valid 10 minutes; a new one
    /// is refused within 30 s of the last). Counts against the same per-IP limit as
    /// `createSignUp`, and against the address's limit of codes mailed (5 at once, then one
    /// every 12 minutes, whoever asks): `RATE_LIMITED` with `retryAfter` past either.
    async fn prepare_sign_up_verification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How to verify: `EMAIL_CODE`.")] strategy: SignUpVerificationStrategy,
    ) -> GqlResult<SignUp> {
        let SignUpVerificationStrategy::EmailCode = strategy;
        limit_ip(ctx, LimitKind::SignUp).await?;
        sign_up_of(ctx, Command::PrepareSignUpEmailCode, false).await
    }

    /// Checks a verification code. After 5 wrong codes the verification fails and a new code
    /// must be prepared. Wrong codes also count against the address itself, across sign-ups,
    /// clients and email verifications (10 at once, then one every 30 minutes): past that,
    /// `TOO_MANY_ATTEMPTS` with `retryAfter`, and no code is checked. When nothing else is
    /// missing, the sign-up completes: a user and an active session on this client.
    async fn attempt_sign_up_verification(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The verification being attempted: `EMAIL_CODE` (the default).",
            default_with = "SignUpVerificationStrategy::EmailCode"
        )]
        strategy: SignUpVerificationStrategy,
        #[graphql(desc = "The 6-digit code from the message.")] code: String,
    ) -> GqlResult<SignUp> {
        let SignUpVerificationStrategy::EmailCode = strategy;
        limit_ip(ctx, LimitKind::Attempt).await?;
        sign_up_of(ctx, Command::AttemptSignUpEmailCode(code), false).await
    }
}
