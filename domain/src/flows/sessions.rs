//! A client's sessions: starting one (ending the others in single-session mode), choosing the
//! active one, signing out, and issuing session tokens from the state the actor holds.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, TransactionTrait};

use crate::model::client::Client;
use crate::model::event::{EventType, NewEvent};
use crate::model::instance::Instance;
use crate::model::jwt_template::Template;
use crate::model::jwt_template::{TemplateTokenFacts, render_context, template_claims};
use crate::model::organization::OrganizationClaim;
use crate::model::session::{RequestSource, Session, SessionStatus};
use crate::services::Services;
use crate::store;
use crate::tokens::issue::{TokenFacts, issuer, new_jti, session_claims};
use crate::tokens::key_ring::InstanceKeys;
use crate::{Error, Result};

/// Writes a new session on the client inside `txn` (a sign-in or sign-up completing) and makes
/// it the client's active one. In single-session mode the client's other active sessions end.
/// The client in memory follows only once the caller commits, so it is updated here and handed
/// back for the caller to keep. Gives the events to append before the caller commits.
pub(crate) async fn add(
    txn: &impl ConnectionTrait,
    instance: &Instance,
    client: &mut Client,
    session: Session,
    now: DateTime<Utc>,
) -> Result<Vec<NewEvent>> {
    let mut events = Vec::new();
    if !instance.settings.sessions.multi_session {
        for other in &mut client.sessions {
            if other.status_at(now) == SessionStatus::Active
                && store::sessions::close(txn, &instance.id, &other.id, SessionStatus::Ended, now)
                    .await?
            {
                other.status = SessionStatus::Ended;
                other.updated_at = now;
                events.push(NewEvent::session(EventType::SessionEnded, other));
            }
        }
    }
    store::sessions::insert(txn, &session).await?;
    events.push(NewEvent::session(EventType::SessionCreated, &session));
    store::clients::set_last_active_session(txn, &instance.id, &client.id, Some(&session.id), now)
        .await?;
    client.last_active_session_id = Some(session.id.clone());
    client.sessions.push(session);
    client.updated_at = now;
    Ok(events)
}

fn session_of<'a>(client: &'a mut Client, session_id: &str) -> Result<&'a mut Session> {
    client
        .sessions
        .iter_mut()
        .find(|s| s.id == session_id)
        .ok_or(Error::NotFound("session"))
}

/// `setActiveSession`: makes one of the client's active sessions the active one, and sets its
/// active organization (`Some(Some(id))`: one the user is a member of, else `NOT_FOUND`),
/// clears it (`Some(None)`), or leaves it (`None`).
pub async fn set_active(
    svc: &Services,
    instance: &Instance,
    client: &Client,
    session_id: &str,
    organization_id: Option<Option<&str>>,
    now: DateTime<Utc>,
) -> Result<Client> {
    let mut client = client.clone();
    let session = session_of(&mut client, session_id)?;
    if session.status_at(now) != SessionStatus::Active {
        return Err(Error::SessionNotActive);
    }
    if let Some(organization_id) = organization_id {
        let user_id = session.user_id.clone();
        if organization_id.is_some() && !instance.settings.organizations.enabled {
            return Err(Error::Forbidden("organizations are off for this instance"));
        }
        // The organization's row is locked while the membership is checked and the session
        // written, so a removal of the member either comes first (refused here) or after
        // (and clears the session).
        let txn = svc.db.begin().await?;
        let claim = match organization_id {
            Some(org) => {
                if !store::organizations::lock(&txn, &instance.id, org).await? {
                    return Err(Error::NotFound("organization"));
                }
                Some(
                    store::memberships::claim(&txn, &instance.id, org, &user_id)
                        .await?
                        .ok_or(Error::NotFound("organization"))?,
                )
            }
            None => None,
        };
        if !store::sessions::set_active_organization(
            &txn,
            &instance.id,
            session_id,
            organization_id,
            now,
        )
        .await?
        {
            return Err(Error::SessionNotActive);
        }
        txn.commit().await?;
        let session = session_of(&mut client, session_id)?;
        session.last_active_organization_id = organization_id.map(str::to_owned);
        session.updated_at = now;
        match claim {
            Some(claim) => client.organizations.insert(session_id.to_owned(), claim),
            None => client.organizations.remove(session_id),
        };
    }
    store::clients::set_last_active_session(
        &svc.db,
        &instance.id,
        &client.id,
        Some(session_id),
        now,
    )
    .await?;
    client.last_active_session_id = Some(session_id.to_owned());
    client.updated_at = now;
    Ok(client)
}

/// `signOut`: ends one session of the client, or every active one when none is named; with
/// `remove`, the sessions become `Removed` and are no longer listed on the client. The active
/// session moves to the newest one still active, if any.
pub async fn sign_out(
    svc: &Services,
    instance: &Instance,
    client: &Client,
    session_id: Option<&str>,
    remove: bool,
    now: DateTime<Utc>,
) -> Result<Client> {
    let mut client = client.clone();
    let status = if remove {
        SessionStatus::Removed
    } else {
        SessionStatus::Ended
    };
    // Ending needs an active session; removing takes any session still listed.
    let eligible = |s: &Session| {
        if remove {
            s.status != SessionStatus::Removed
        } else {
            s.status_at(now) == SessionStatus::Active
        }
    };
    let ending: Vec<String> = match session_id {
        Some(id) => {
            let session = session_of(&mut client, id)?;
            if !eligible(session) {
                return Err(if remove {
                    Error::NotFound("session")
                } else {
                    Error::SessionNotActive
                });
            }
            vec![id.to_owned()]
        }
        None => client
            .sessions
            .iter()
            .filter(|s| eligible(s))
            .map(|s| s.id.clone())
            .collect(),
    };
    let txn = svc.db.begin().await?;
    let mut events = Vec::new();
    for id in &ending {
        let changed = if remove {
            store::sessions::remove(&txn, &instance.id, id, now).await?
        } else {
            // A session revoked meanwhile stays revoked.
            store::sessions::close(&txn, &instance.id, id, status, now).await?
        };
        if changed && let Some(session) = client.sessions.iter().find(|s| &s.id == id) {
            let mut session = session.clone();
            session.status = status;
            session.updated_at = now;
            events.push(NewEvent::session(
                EventType::for_session_status(status),
                &session,
            ));
        }
    }
    // What is stored now, other nodes' revocations included, decides the next active session.
    client.sessions = store::sessions::for_client(&txn, &instance.id, &client.id).await?;
    let next = client
        .sessions
        .iter()
        .rev()
        .find(|s| s.status_at(now) == SessionStatus::Active)
        .map(|s| s.id.clone());
    store::clients::set_last_active_session(&txn, &instance.id, &client.id, next.as_deref(), now)
        .await?;
    store::events::append(&txn, &instance.id, &events, now).await?;
    txn.commit().await?;
    svc.events.committed(&instance.id);
    client.last_active_session_id = next;
    client.updated_at = now;
    tracing::info!(client_id = %client.id, ended = ending.len(), "signed out");
    Ok(client)
}

/// A session token and when it expires.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    pub jwt: String,
    pub expires_at: DateTime<Utc>,
}

/// What a token request asks for.
#[derive(Clone, Copy, Debug)]
pub struct TokenAsk<'a> {
    pub session_id: &'a str,
    /// A JWT template's name, for a template token.
    pub template: Option<&'a str>,
    /// The `azp` claim: the requesting origin, when the instance allows it.
    pub azp: Option<&'a str>,
    /// Where the request came from: recorded with the session's activity.
    pub source: Option<&'a RequestSource>,
}

/// `createSessionToken` for a session of `client`, from the state the actor holds: the keys
/// come from the key ring, and the session's activity (at most once a minute) is recorded to be
/// written behind. Nothing is read or written here: a session that ended on another node is
/// refused once its event reached this node (`ClientChanged`). `client` is updated in place.
pub async fn issue_token(
    svc: &Services,
    instance: &Instance,
    client: &mut Client,
    ask: TokenAsk<'_>,
    now: DateTime<Utc>,
) -> Result<IssuedToken> {
    let TokenAsk {
        session_id,
        template,
        azp,
        source,
    } = ask;
    let keys = svc.keys.keys(&svc.db, instance, now).await?;
    let settings = &instance.settings;
    // Borrowed field by field, so the session and its organization's claim are read together.
    let session = client
        .sessions
        .iter_mut()
        .find(|s| s.id == session_id)
        .ok_or(Error::NotFound("session"))?;
    if session.status_at(now) != SessionStatus::Active {
        return Err(Error::SessionNotActive);
    }
    if session.touch(&settings.sessions, now) {
        // Read from the request only here, at most once a minute per session, and kept only when
        // a browser (a request with a User-Agent) tells something new: a server's fetch with the
        // session's token leaves the browser recorded as it is.
        let seen = source
            .filter(|source| source.user_agent.is_some())
            .map(RequestSource::activity)
            .filter(|seen| session.latest_activity.as_ref() != Some(seen));
        if let Some(seen) = &seen {
            session.latest_activity = Some(seen.clone());
        }
        // Written behind, every few seconds (`store::activity`).
        svc.activity.record(session, seen);
    }
    if let Some(name) = template {
        let issuer = issuer(&svc.public_url, &instance.id);
        return template_token(svc, instance, &keys, session, name, &issuer, azp, now).await;
    }
    let organization = client.organizations.get(session_id);
    signed(svc, instance, &keys, session, organization, azp, now)
}

/// The session token of `session`, signed.
fn signed(
    svc: &Services,
    instance: &Instance,
    keys: &InstanceKeys,
    session: &Session,
    organization: Option<&OrganizationClaim>,
    azp: Option<&str>,
    now: DateTime<Utc>,
) -> Result<IssuedToken> {
    let claims = session_claims(TokenFacts {
        issuer: &issuer(&svc.public_url, &instance.id),
        user_id: &session.user_id,
        session_id: &session.id,
        azp,
        lifetime_seconds: instance.settings.tokens.lifetime_seconds,
        jti: &new_jti(),
        organization,
        factor_ages: crate::model::reverification::factor_ages(session, now),
        now,
    });
    Ok(IssuedToken {
        jwt: keys.signer.sign(&claims)?,
        expires_at: DateTime::from_timestamp(claims.exp, 0).unwrap_or(now),
    })
}

/// A token from the JWT template `name`: the template rendered against the user and the
/// session (read from the database: template tokens are not the hot path), with the token's
/// own claims on top.
#[allow(clippy::too_many_arguments)]
async fn template_token(
    svc: &Services,
    instance: &Instance,
    keys: &InstanceKeys,
    session: &Session,
    name: &str,
    issuer: &str,
    azp: Option<&str>,
    now: DateTime<Utc>,
) -> Result<IssuedToken> {
    let stored = store::jwt_templates::find_by_name(&svc.db, &instance.id, name)
        .await?
        .ok_or(Error::NotFound("JWT template"))?;
    let user = store::users::find(&svc.db, &instance.id, &session.user_id)
        .await?
        .ok_or(Error::SessionNotActive)?;
    // Checked when it was saved: failing now is the server's fault, not the caller's.
    let template = Template::parse(&stored.claims).map_err(Error::internal)?;
    let organization = match &session.last_active_organization_id {
        Some(org) => {
            let found = store::organizations::find(&svc.db, &instance.id, org).await?;
            let member = store::memberships::find(&svc.db, &instance.id, org, &user.id).await?;
            match (found, member) {
                (Some(o), Some(mut m)) => {
                    let roles = store::roles::all(&svc.db, &instance.id).await?;
                    store::memberships::fill_permissions(std::slice::from_mut(&mut m), &roles);
                    Some((o, m))
                }
                _ => None,
            }
        }
        None => None,
    };
    let rendered = template.render(&render_context(
        &user,
        session,
        organization.as_ref().map(|(o, m)| (o, m)),
    ));
    let claims = template_claims(
        &stored,
        rendered,
        TemplateTokenFacts {
            issuer,
            user_id: &user.id,
            azp,
            jti: &new_jti(),
            now,
        },
    );
    Ok(IssuedToken {
        jwt: keys.signer.sign(&claims)?,
        expires_at: now + chrono::Duration::seconds(i64::from(stored.lifetime_seconds)),
    })
}
