//! Sessions and tokens in GraphQL: the frontend's `createSessionToken`, `setActiveSession` and
//! `signOut`; the signed-in user's `me` and `revokeMySession`; the backend's `sessions`,
//! `revokeSession`, `verifyToken` and `rotateSigningKey`.

use async_graphql::{Context, Enum, ID, Json, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use latchkey_domain::Error;
use latchkey_domain::actors::client::Command;
use latchkey_domain::api_keys::API_KEY_PREFIX;
use latchkey_domain::ids::is_api_key_id;
use latchkey_domain::model::organization::OrganizationClaim;
use latchkey_domain::model::session::SessionStatus as DomainStatus;

use super::client::Client;
use super::objects::{Session, SessionStatus, User};
use super::request_data::RequestOrigin;
use super::{GqlResult, ResultExt, scope};

/// A session token.
#[derive(SimpleObject)]
pub struct SessionToken {
    /// The JWT: send it as `Authorization: Bearer …` to your backend and to Latchkey.
    pub jwt: String,
    /// When it expires: ask for a new one before then.
    pub expires_at: DateTime<Utc>,
}

/// Kinds of token `verifyToken` accepts.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenType {
    /// A session token (the short-lived JWT).
    SessionToken,
    /// An API key (`ak_…`).
    ApiKey,
}

/// What `verifyToken` found: the `authenticateRequest` of this server.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct TokenVerification {
    /// Whether the token is valid and its session active.
    pub is_authenticated: bool,
    /// The kind of token, when valid.
    pub token_type: Option<TokenType>,
    /// The user the token is for.
    pub user_id: Option<ID>,
    /// The session the token is for.
    pub session_id: Option<ID>,
    /// The active organization (from the `o` claim).
    pub org_id: Option<ID>,
    /// The user's role in it, such as `org:admin`.
    pub org_role: Option<String>,
    /// The user's custom permissions in it, such as `org:invoices:read` (system permissions
    /// are not carried by tokens).
    pub org_permissions: Option<Vec<String>>,
    /// The `o` claim, read.
    #[graphql(skip)]
    pub org_claim: Option<OrganizationClaim>,
    /// Every claim of a valid session token.
    pub claims: Option<Json<serde_json::Value>>,
    /// Whom a valid API key acts for.
    pub subject: Option<String>,
    /// The scopes of a valid API key.
    pub scopes: Option<Vec<String>>,
    /// Why the token was refused: `token-expired`, `token-not-active-yet`,
    /// `token-invalid-signature`, `token-invalid-issuer`, `token-invalid-azp`,
    /// `session-not-active`, `token-malformed`, `token-type-mismatch` (a kind not in
    /// `acceptsToken`), `api-key-not-found` or `api-key-revoked`.
    pub reason: Option<String>,
}

#[async_graphql::ComplexObject]
impl TokenVerification {
    /// Whether the token's active organization grants the role and the permission, each
    /// checked when given (with or without `org:`), like Clerk's `has()`. False without an
    /// active organization, with neither given, or for a system permission (not carried).
    async fn has(
        &self,
        #[graphql(desc = "A role such as `org:admin`.")] role: Option<String>,
        #[graphql(desc = "A permission such as `org:invoices:read`.")] permission: Option<String>,
    ) -> bool {
        self.org_claim
            .as_ref()
            .is_some_and(|claim| claim.has(role.as_deref(), permission.as_deref()))
    }
}

impl TokenVerification {
    fn refused(reason: &str) -> Self {
        Self {
            is_authenticated: false,
            token_type: None,
            user_id: None,
            session_id: None,
            org_id: None,
            org_role: None,
            org_permissions: None,
            org_claim: None,
            claims: None,
            subject: None,
            scopes: None,
            reason: Some(reason.to_owned()),
        }
    }

    fn accepted(self) -> Self {
        Self {
            reason: None,
            ..self
        }
    }
}

/// A signing key, as `rotateSigningKey` reports it.
#[derive(SimpleObject)]
pub struct SigningKey {
    /// The key id (`kid` in the header of every token it signs).
    pub kid: String,
}

fn client_or_not_found(client: Option<Client>) -> GqlResult<Client> {
    client.ok_or(Error::NotFound("session")).gql()
}

/// Session queries.
#[derive(Default)]
pub struct SessionQuery;

#[Object]
impl SessionQuery {
    /// The signed-in user (session-token scope).
    async fn me(&self, ctx: &Context<'_>) -> GqlResult<User> {
        let (platform, caller) = scope(ctx)?;
        let (instance, user_id) = caller.require_user().gql()?;
        let user = platform.user(&instance.id, user_id).await.gql()?;
        user.map(User).ok_or(Error::NotFound("user")).gql()
    }

    /// A user's sessions, newest first, optionally only those with `status` (backend scope).
    async fn sessions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user whose sessions to list.")] user_id: ID,
        #[graphql(desc = "Only sessions with this status now.")] status: Option<SessionStatus>,
    ) -> GqlResult<Vec<Session>> {
        let (platform, caller) = scope(ctx)?;
        let sessions = platform
            .backend_sessions(caller, &user_id, status.map(DomainStatus::from))
            .await
            .gql()?;
        Ok(sessions.into_iter().map(Session::now).collect())
    }
}

/// Session mutations.
#[derive(Default)]
pub struct SessionMutation;

#[Object]
impl SessionMutation {
    /// A short-lived session token for one of this client's active sessions (frontend scope).
    /// `azp` is the request's `Origin` when the instance allows it. `SESSION_NOT_ACTIVE` for a
    /// session that ended, expired or was revoked; `NOT_FOUND` for one this client does not hold.
    /// The same token comes from the token endpoint, `POST /v1/client/sessions/{sessionId}/tokens`
    /// (or `…/tokens/{template}`), which answers `{"jwt", "expiresAt"}` with no GraphQL around
    /// it: the browser SDK refreshes there.
    async fn create_session_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "One of this client's sessions.")] session_id: ID,
        #[graphql(desc = "A JWT template's name: a token with the template's claims instead.")]
        template: Option<String>,
    ) -> GqlResult<SessionToken> {
        let (platform, caller) = scope(ctx)?;
        let origin = ctx.data_opt::<RequestOrigin>().and_then(|o| o.0.as_deref());
        let token = platform
            .create_session_token(
                caller,
                &session_id,
                template.as_deref(),
                origin,
                super::request_data::source(ctx),
            )
            .await
            .gql()?;
        Ok(SessionToken {
            jwt: token.jwt,
            expires_at: token.expires_at,
        })
    }

    /// Makes one of this client's active sessions the active one (frontend scope), and sets
    /// its active organization: one its user is a member of (`NOT_FOUND` otherwise), or
    /// `null` for none; left out, it stays. Its tokens then carry `o`.
    async fn set_active_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "One of this client's active sessions.")] session_id: ID,
        #[graphql(desc = "The organization to make active, or null for none.")]
        organization_id: MaybeUndefined<ID>,
    ) -> GqlResult<Client> {
        let organization_id = match organization_id {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(id) => Some(Some(id.0)),
        };
        let command = Command::SetActiveSession {
            session_id: session_id.0,
            organization_id,
        };
        client_or_not_found(super::client::run(ctx, command, false).await?)
    }

    /// Signs out of one session of this client, or of every session when none is given
    /// (frontend scope). The sessions become `ENDED` and stay listed on the client, or with
    /// `remove` become `REMOVED` and are no longer listed.
    async fn sign_out(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session to end; every session of the client when left out.")]
        session_id: Option<ID>,
        #[graphql(
            desc = "Remove the sessions from the client (`REMOVED`, no longer listed) instead of only ending them (`ENDED`, still listed).",
            default = false
        )]
        remove: bool,
    ) -> GqlResult<Client> {
        let command = Command::SignOut {
            session_id: session_id.map(|id| id.0),
            remove,
        };
        client_or_not_found(super::client::run(ctx, command, false).await?)
    }

    /// Revokes an active session (backend scope): it becomes `REVOKED`, its tokens stop passing
    /// `verifyToken` at once, and its client gets no new token.
    async fn revoke_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session's id.")] id: ID,
    ) -> GqlResult<Session> {
        let (platform, caller) = scope(ctx)?;
        Ok(Session::now(
            platform.revoke_session(caller, &id).await.gql()?,
        ))
    }

    /// Revokes one of the signed-in user's own sessions, on any device (session-token scope),
    /// as `revokeSession` does: `REVOKED`, `session.revoked`, no new token for its client.
    /// `NOT_FOUND` for a session of anyone else; `REVERIFICATION_REQUIRED` unless the calling
    /// session verified its factors recently (`attemptReverification`).
    async fn revoke_my_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session's id (`sess_…`), from `me { sessions }`.")] id: ID,
    ) -> GqlResult<Session> {
        let (platform, caller) = scope(ctx)?;
        Ok(Session::now(
            platform.revoke_my_session(caller, &id).await.gql()?,
        ))
    }

    /// Verifies a token the way a backend's `authenticateRequest` would (backend scope): the
    /// signature by `kid`, expiry and not-before with the instance's clock skew, the issuer,
    /// `azp` among `authorizedParties` when given, and the session still active.
    async fn verify_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The token, as sent in `Authorization: Bearer …`.")] token: String,
        #[graphql(
            desc = "Origins the token's `azp` must be one of; a token without `azp` then fails."
        )]
        authorized_parties: Option<Vec<String>>,
        #[graphql(desc = "The kinds of token to accept (default: session tokens only).")]
        accepts_token: Option<Vec<TokenType>>,
    ) -> GqlResult<TokenVerification> {
        let (platform, caller) = scope(ctx)?;
        let accepts = accepts_token.unwrap_or_else(|| vec![TokenType::SessionToken]);
        // An API key's id is answered as a key that is not found, not as a malformed token.
        let kind = if token.starts_with(API_KEY_PREFIX) || is_api_key_id(&token) {
            TokenType::ApiKey
        } else {
            TokenType::SessionToken
        };
        if !accepts.contains(&kind) {
            return Ok(TokenVerification::refused("token-type-mismatch"));
        }
        if kind == TokenType::ApiKey {
            let checked = platform.verify_api_key(caller, &token).await.gql()?;
            return Ok(match checked {
                Ok(key) => TokenVerification {
                    is_authenticated: true,
                    token_type: Some(TokenType::ApiKey),
                    user_id: key
                        .subject
                        .starts_with("user_")
                        .then(|| ID(key.subject.clone())),
                    subject: Some(key.subject),
                    scopes: Some(key.scopes),
                    ..TokenVerification::refused("")
                }
                .accepted(),
                Err(rejection) => TokenVerification::refused(rejection.reason()),
            });
        }
        let parties = authorized_parties.unwrap_or_default();
        let verified = platform
            .verify_token(caller, &token, &parties)
            .await
            .gql()?;
        Ok(match verified {
            Ok(valid) => {
                let org = valid
                    .claims
                    .extra
                    .get("o")
                    .and_then(OrganizationClaim::from_json);
                TokenVerification {
                    is_authenticated: true,
                    org_id: org.as_ref().map(|o| ID(o.id.clone())),
                    org_role: org.as_ref().map(|o| o.role.clone()),
                    org_permissions: org.as_ref().map(|o| o.permissions.clone()),
                    org_claim: org,
                    token_type: Some(TokenType::SessionToken),
                    subject: Some(valid.user_id.clone()),
                    user_id: Some(ID(valid.user_id)),
                    session_id: Some(ID(valid.session_id)),
                    claims: serde_json::to_value(&valid.claims).ok().map(Json),
                    ..TokenVerification::refused("")
                }
                .accepted()
            }
            Err(rejection) => TokenVerification::refused(rejection.reason()),
        })
    }

    /// Starts signing with a new key (backend scope). Tokens signed before stay valid until they
    /// expire: the old key stays in the JWKS until then.
    async fn rotate_signing_key(&self, ctx: &Context<'_>) -> GqlResult<SigningKey> {
        let (platform, caller) = scope(ctx)?;
        let kid = platform.rotate_signing_key(caller).await.gql()?;
        Ok(SigningKey { kid })
    }
}
