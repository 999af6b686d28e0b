//! `environment`: what a frontend must know before any call, from its publishable key alone.

use std::sync::Arc;

use crate::Result;
use crate::model::caller::Caller;
use crate::model::instance::Instance;
use crate::platform::Platform;
use crate::tokens::issue::issuer;

/// An instance as its frontends see it before anyone signs in.
#[derive(Clone, Debug)]
pub struct FrontendEnvironment {
    pub instance: Arc<Instance>,
    /// The `iss` of its session tokens, from the server's public URL.
    pub issuer: String,
    /// Where its Account Portal's pages live (`…/sign-in`, `…/sign-up`, `…/user`).
    pub account_portal_url: String,
}

impl Platform {
    /// The calling frontend's instance, its issuer and its Account Portal (publishable key; no
    /// client or session needed).
    pub fn environment(&self, caller: &Caller) -> Result<FrontendEnvironment> {
        let (instance, _) = caller.require_frontend()?;
        let issuer = issuer(self.public_url(), &instance.id);
        Ok(FrontendEnvironment {
            instance: instance.clone(),
            account_portal_url: issuer.clone(),
            issuer,
        })
    }
}
