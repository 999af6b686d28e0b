//! Handoffs: how a redirect back to a development app on another site arrives signed in. A page
//! on Latchkey's own origin (the Account Portal) holds the browser's client in the instance's
//! cookie; a development app on another site holds a client token of its own. `createHandoff`
//! checks the redirect URL and, for such an app, adds a one-time code (valid a minute, for that
//! origin only) to it; the app's SDK redeems the code and keeps the portal's client token, so
//! both use one client. Production instances need no code: the app's SDK reaches Latchkey on
//! the same site, with the same cookie.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::actors::client::Command;
use crate::model::instance::{Environment, Instance};
use crate::model::redirect;
use crate::platform::Platform;
use crate::secrets::{hash_secret, new_secret};
use crate::store;
use crate::{Error, Result};

/// The query parameter that carries a handoff code.
pub const HANDOFF_PARAM: &str = "__latchkey_handoff";
/// How long a handoff code may be redeemed.
pub const HANDOFF_TTL_SECONDS: i64 = 60;
const CODE_PREFIX: &str = "lkh_";

/// Where to send the browser: the checked redirect URL, with a handoff code when it needs one.
#[derive(Clone, Debug)]
pub struct Handoff {
    pub url: String,
    /// When the code expires; `None` when the URL carries no code.
    pub expires_at: Option<DateTime<Utc>>,
}

fn seal_context(instance_id: &str) -> String {
    format!("handoff:{instance_id}")
}

impl Platform {
    /// `createHandoff`: checks `redirect_url` against the instance's allowed origins and the
    /// server's own; for a development instance sending the browser from `from` (the request's
    /// `Origin`) to another origin than it and the server's, adds a one-time code for the
    /// caller's client (`client_token`, which must name a client). A page that stays on its
    /// origin, or goes to the server's pages, hands nothing over.
    pub async fn create_handoff(
        &self,
        instance: &Arc<Instance>,
        client_token: Option<&str>,
        from: Option<&str>,
        redirect_url: &str,
    ) -> Result<Handoff> {
        let target = redirect::check(instance, self.public_url(), "redirectUrl", redirect_url)?;
        let own_origin = url::Url::parse(self.public_url())
            .map(|own| own.origin().ascii_serialization())
            .unwrap_or_default();
        let stays = from.is_some_and(|from| from.eq_ignore_ascii_case(&target.origin()));
        if instance.environment == Environment::Production || target.origin() == own_origin || stays
        {
            return Ok(Handoff {
                url: target.as_str().to_owned(),
                expires_at: None,
            });
        }
        let no_client = || Error::Unauthenticated("a handoff needs the caller's client");
        let token = client_token.ok_or_else(no_client)?;
        let client = self
            .client_command(instance, Some(token), Command::Get, false, None)
            .await?
            .ok_or_else(no_client)?
            .client;
        let code = new_secret(CODE_PREFIX);
        let now = self.now();
        let expires_at = now + Duration::seconds(HANDOFF_TTL_SECONDS);
        let sealed = self
            .services
            .master_key
            .seal(&seal_context(&instance.id), token.as_bytes())?;
        store::handoffs::insert(
            &self.db,
            store::handoffs::Handoff {
                code_hash: hash_secret(&code),
                instance_id: instance.id.clone(),
                client_id: client.id,
                client_token_sealed: sealed,
                origin: target.origin(),
                expires_at,
                created_at: now,
            },
        )
        .await?;
        Ok(Handoff {
            url: target.with_query(HANDOFF_PARAM, &code),
            expires_at: Some(expires_at),
        })
    }

    /// `redeemHandoff`: the client token a handoff code carries, once, for a request from the
    /// origin the code was made for. Unknown, used, expired or another origin's: `NOT_FOUND`
    /// (the code is used up either way). A production instance hands a browser no client token:
    /// `FORBIDDEN`.
    pub async fn redeem_handoff(
        &self,
        instance: &Arc<Instance>,
        code: &str,
        origin: Option<&str>,
    ) -> Result<String> {
        if instance.environment == Environment::Production {
            return Err(Error::Forbidden(
                "a production instance keeps a browser's client in its cookie; handoff codes are \
                 for development instances",
            ));
        }
        let found = store::handoffs::take(&self.db, &instance.id, &hash_secret(code), self.now())
            .await?
            .filter(|found| origin.is_some_and(|origin| origin.eq_ignore_ascii_case(&found.origin)))
            .ok_or(Error::NotFound("handoff code"))?;
        let token = self
            .services
            .master_key
            .open(&seal_context(&instance.id), &found.client_token_sealed)?;
        String::from_utf8(token).map_err(Error::internal)
    }
}
