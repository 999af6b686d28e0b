//! Sessions and their tokens, as the transport asks for them: a frontend's token refresh (through
//! its client actor), the backend's session list, revocation and `verifyToken`, the signed-in
//! user's caller, and the keys' public side (JWKS, discovery, rotation).

use std::sync::Arc;

use sea_orm::TransactionTrait;
use serde_json::{Value, json};

use crate::actors::client::IssueToken;
use crate::flows::sessions::IssuedToken;
use crate::model::caller::Caller;
use crate::model::event::{EventType, NewEvent};
use crate::model::instance::Instance;
use crate::model::session::{RequestSource, Session, SessionStatus};
use crate::platform::Platform;
use crate::secrets::hash_secret;
use crate::store;
use crate::tokens::issue::issuer;
use crate::tokens::verify::{Expectations, Rejection, SessionClaims, peek, verify};
use crate::{Error, Internal, Result};

/// The most sessions one listing gives.
pub const MAX_SESSIONS_LISTED: u64 = 500;

/// A session token that passed every check.
#[derive(Clone, Debug)]
pub struct VerifiedToken {
    pub user_id: String,
    pub session_id: String,
    pub claims: SessionClaims,
}

impl Platform {
    /// `createSessionToken` and the token endpoint: a token for one of the calling client's
    /// sessions, or from a JWT template, signed by the client's actor from what it holds. `azp`
    /// is the request's `origin` when the instance allows it.
    pub async fn create_session_token(
        &self,
        caller: &Caller,
        session_id: &str,
        template: Option<&str>,
        origin: Option<&str>,
        source: Option<&RequestSource>,
    ) -> Result<IssuedToken> {
        let (instance, token) = caller.require_frontend()?;
        let azp = origin.filter(|origin| crate::model::origin::allowed(instance, origin));
        let token = token.ok_or(Error::NotFound("session"))?;
        let hash = hash_secret(token);
        let message = || IssueToken {
            instance: instance.clone(),
            session_id: session_id.to_owned(),
            template: template.map(str::to_owned),
            azp: azp.map(str::to_owned),
            source: source.cloned(),
        };
        let issued = match self.registry.issue(&hash, message()).await {
            // The actor stopped between the lookup and the message (it had just found no client
            // for the token): once more, with the actor the shard starts now.
            Err(Error::Internal(Internal::ActorStopped)) => {
                self.registry.issue(&hash, message()).await
            }
            issued => issued,
        };
        issued?.ok_or(Error::NotFound("session"))
    }

    /// The backend's `sessions(userId, status)`: newest first. `status` filters on the status
    /// as of now (an active session past its expiry is `EXPIRED`).
    pub async fn backend_sessions(
        &self,
        caller: &Caller,
        user_id: &str,
        status: Option<SessionStatus>,
    ) -> Result<Vec<Session>> {
        let instance = caller.require_backend()?;
        let now = self.now();
        store::sessions::for_user(
            &self.db,
            &instance.id,
            user_id,
            status,
            now,
            MAX_SESSIONS_LISTED,
        )
        .await
    }

    /// The backend's `revokeSession`: an active session becomes `REVOKED` at once, and the actor
    /// of its client refuses its next token.
    pub async fn revoke_session(&self, caller: &Caller, session_id: &str) -> Result<Session> {
        let instance = caller.require_backend()?;
        let session = store::sessions::find(&self.db, &instance.id, session_id)
            .await?
            .ok_or(Error::NotFound("session"))?;
        self.revoke(instance, session).await
    }

    /// Revokes `session` of `instance` (the backend's `revokeSession`, a user's
    /// `revokeMySession`): `session.revoked`, and the actors holding it told at once.
    pub(crate) async fn revoke(
        &self,
        instance: &Instance,
        mut session: Session,
    ) -> Result<Session> {
        let now = self.now();
        let session_id = session.id.clone();
        if session.status_at(now) != SessionStatus::Active {
            return Err(Error::SessionNotActive);
        }
        let txn = self.db.begin().await?;
        if !store::sessions::close(&txn, &instance.id, &session_id, SessionStatus::Revoked, now)
            .await?
        {
            return Err(Error::SessionNotActive);
        }
        session.status = SessionStatus::Revoked;
        session.updated_at = now;
        let event = NewEvent::session(EventType::SessionRevoked, &session);
        store::events::append(&txn, &instance.id, &[event], now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        self.services
            .sessions_changed(&instance.id, &session.user_id);
        tracing::info!(session_id = %session_id, "session revoked");
        Ok(session)
    }

    /// Checks a session token of `instance` the way `verifyToken` does: signature by `kid`,
    /// time with the instance's skew, issuer, `azp` among `authorized_parties` when any are
    /// given, and the session still active.
    pub async fn check_session_token(
        &self,
        instance: &Instance,
        token: &str,
        authorized_parties: &[String],
    ) -> Result<std::result::Result<VerifiedToken, Rejection>> {
        let now = self.now();
        let expected_issuer = issuer(self.public_url(), &instance.id);
        let (kid, claimed_issuer) = match peek(token) {
            Ok(found) => found,
            Err(rejection) => return Ok(Err(rejection)),
        };
        if claimed_issuer != expected_issuer {
            return Ok(Err(Rejection::InvalidIssuer));
        }
        let keys = self
            .services
            .keys
            .keys_knowing(&self.db, instance, &kid, now)
            .await?;
        let verified = verify(
            token,
            &keys.verification,
            Expectations {
                issuer: &expected_issuer,
                leeway_seconds: u64::from(instance.settings.tokens.allowed_clock_skew_seconds),
                now: now.timestamp(),
            },
        );
        let claims = match verified {
            Ok(claims) => claims,
            Err(rejection) => return Ok(Err(rejection)),
        };
        if !authorized_parties.is_empty()
            && !claims
                .azp
                .as_ref()
                .is_some_and(|azp| authorized_parties.iter().any(|p| p == azp))
        {
            return Ok(Err(Rejection::InvalidAuthorizedParty));
        }
        let session = store::sessions::find(&self.db, &instance.id, &claims.sid).await?;
        Ok(match session {
            Some(s) if s.user_id == claims.sub && s.status_at(now) == SessionStatus::Active => {
                Ok(VerifiedToken {
                    user_id: claims.sub.clone(),
                    session_id: claims.sid.clone(),
                    claims,
                })
            }
            _ => Err(Rejection::SessionNotActive),
        })
    }

    /// The backend's `verifyToken`.
    pub async fn verify_token(
        &self,
        caller: &Caller,
        token: &str,
        authorized_parties: &[String],
    ) -> Result<std::result::Result<VerifiedToken, Rejection>> {
        let instance = caller.require_backend()?;
        self.check_session_token(instance, token, authorized_parties)
            .await
    }

    /// The caller a session token makes: the signed-in user of an active session. Any failure
    /// is `UNAUTHENTICATED`, whatever the reason.
    pub(crate) async fn resolve_session_token(&self, token: &str) -> Result<Caller> {
        let refused = || Error::Unauthenticated("the session token is not valid");
        let (_, claimed_issuer) = peek(token).map_err(|_| refused())?;
        let prefix = format!("{}/i/", self.public_url());
        let instance_id = claimed_issuer
            .strip_prefix(&prefix)
            .filter(|id| !id.is_empty() && !id.contains('/'))
            .ok_or_else(refused)?;
        let instance = match store::instances::get(&self.db, instance_id).await {
            Ok(instance) => Arc::new(instance),
            Err(Error::NotFound(_)) => return Err(refused()),
            Err(err) => return Err(err),
        };
        let verified = self
            .check_session_token(&instance, token, &[])
            .await?
            .map_err(|_| refused())?;
        Ok(Caller::User {
            instance,
            user_id: verified.user_id,
            session_id: verified.session_id,
        })
    }

    /// The JWKS of an instance (`GET /i/{id}/.well-known/jwks.json`), read from the database.
    pub async fn jwks(&self, instance_id: &str) -> Result<String> {
        let instance = store::instances::get(&self.db, instance_id).await?;
        self.services
            .keys
            .jwks(&self.db, &instance, self.now())
            .await
    }

    /// The discovery document of an instance's issuer: where its keys are and what it signs
    /// with (enough for libraries that find keys from `iss`; Latchkey is not an OpenID
    /// provider, so there is no authorization endpoint).
    pub async fn openid_configuration(&self, instance_id: &str) -> Result<Value> {
        let instance = store::instances::get(&self.db, instance_id).await?;
        let issuer = issuer(self.public_url(), instance_id);
        let keys: Value = serde_json::from_str(
            &self
                .services
                .keys
                .jwks(&self.db, &instance, self.now())
                .await?,
        )
        .map_err(Error::internal)?;
        let mut algorithms: Vec<&str> = keys["keys"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|k| k["alg"].as_str())
            .collect();
        algorithms.sort_unstable();
        algorithms.dedup();
        Ok(json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            "id_token_signing_alg_values_supported": algorithms,
            "subject_types_supported": ["public"],
            "claims_supported": ["iss", "sub", "sid", "iat", "nbf", "exp", "azp", "jti", "v", "fva", "o"],
        }))
    }

    /// The backend's `rotateSigningKey`: new tokens use a new key at once; the old one stays
    /// published until every token it signed has expired. Gives the new key's id.
    pub async fn rotate_signing_key(&self, caller: &Caller) -> Result<String> {
        let instance = caller.require_backend()?;
        let instance = store::instances::get(&self.db, &instance.id).await?;
        let keys = self
            .services
            .keys
            .rotate(
                &self.db,
                &instance,
                instance.settings.tokens.algorithm,
                self.now(),
            )
            .await?;
        Ok(keys.signer.kid().to_owned())
    }
}
