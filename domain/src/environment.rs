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

impl Platform {
    /// The instance whose Account Portal `instance_id` names (the portal's pages are public:
    /// they show the instance's name and carry its publishable key); `NOT_FOUND` for none.
    pub async fn portal_instance(&self, instance_id: &str) -> Result<Instance> {
        crate::store::instances::get(&self.db, instance_id).await
    }

    /// The base URL of an instance's Account Portal (`{publicUrl}/i/{instanceId}`).
    pub fn account_portal_url(&self, instance_id: &str) -> String {
        issuer(self.public_url(), instance_id)
    }
}
