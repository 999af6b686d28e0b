//! Per-request batch loaders, so a page costs a fixed number of statements however many rows
//! it has: a page of users with their memberships, memberships with their organizations and
//! their users' public data.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use latchkey_domain::Platform;
use latchkey_domain::model::caller::Caller;
use latchkey_domain::model::organization::{Membership, Organization};
use latchkey_domain::model::user::User;

use super::domain_error;

/// What the loaders act as: the request's caller, in its scope.
pub struct Batch {
    platform: Arc<Platform>,
    caller: Caller,
}

/// The request's loaders.
pub type Loaders = DataLoader<Batch>;

/// Loaders for one request.
pub fn loaders(platform: Arc<Platform>, caller: Caller) -> Loaders {
    DataLoader::new(Batch { platform, caller }, crate::http::request_id::spawn)
}

/// The request's loaders (attached by `guard::prepare`).
pub fn of<'a>(ctx: &async_graphql::Context<'a>) -> async_graphql::Result<&'a Loaders> {
    ctx.data::<Loaders>().map_err(|_| {
        domain_error(latchkey_domain::Error::internal(
            "the request has no loaders",
        ))
    })
}

/// A user's memberships, by user id.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MembershipsOf(pub String);

/// An organization, by id.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OrganizationById(pub String);

/// A user (for public user data), by id.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct UserById(pub String);

impl Loader<MembershipsOf> for Batch {
    type Value = Vec<Membership>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[MembershipsOf],
    ) -> Result<HashMap<MembershipsOf, Self::Value>, Self::Error> {
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let all = self
            .platform
            .memberships_of_users(&self.caller, &ids)
            .await
            .map_err(domain_error)?;
        let mut out: HashMap<MembershipsOf, Vec<Membership>> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for m in all {
            out.entry(MembershipsOf(m.user_id.clone()))
                .or_default()
                .push(m);
        }
        Ok(out)
    }
}

impl Loader<OrganizationById> for Batch {
    type Value = Organization;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[OrganizationById],
    ) -> Result<HashMap<OrganizationById, Self::Value>, Self::Error> {
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let found = self
            .platform
            .organizations_by_ids(&self.caller, &ids)
            .await
            .map_err(domain_error)?;
        Ok(found
            .into_iter()
            .map(|o| (OrganizationById(o.id.clone()), o))
            .collect())
    }
}

impl Loader<UserById> for Batch {
    type Value = User;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[UserById]) -> Result<HashMap<UserById, Self::Value>, Self::Error> {
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let found = self
            .platform
            .public_users(&self.caller, &ids)
            .await
            .map_err(domain_error)?;
        Ok(found
            .into_iter()
            .map(|u| (UserById(u.id.clone()), u))
            .collect())
    }
}
