//! Users for the backend (secret-key scope): one user, and pages of users by filter and order.

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use latchkey_domain::model::user_query::{UserFilter, UserOrder, UserOrderField};

use super::objects::User;
use super::{GqlResult, ResultExt, scope};

/// Backend queries about users.
#[derive(Default)]
pub struct UserQuery;

/// Which users a list holds: every condition given must hold; an empty list is no condition.
#[derive(InputObject, Default)]
pub struct UserFilterInput {
    /// Users with any of these email addresses (any case).
    pub email_address: Option<Vec<String>>,
    /// Users with any of these usernames (any case).
    pub username: Option<Vec<String>>,
    /// Users with any of these ids.
    pub user_id: Option<Vec<ID>>,
    /// Users with any of these external ids.
    pub external_id: Option<Vec<String>>,
    /// Members of any of these organizations.
    pub organization_id: Option<Vec<ID>>,
    /// Banned users only (`true`), or unbanned only (`false`).
    pub banned: Option<bool>,
    /// Created after this instant.
    pub created_after: Option<DateTime<Utc>>,
    /// Created before this instant.
    pub created_before: Option<DateTime<Utc>>,
    /// Last signed in after this instant.
    pub last_sign_in_after: Option<DateTime<Utc>>,
    /// Last signed in before this instant.
    pub last_sign_in_before: Option<DateTime<Utc>>,
    /// A case-insensitive part of a verified email address, username, or first and last name
    /// ("jane doe" matches both), or the user's whole id. Three characters or more use the
    /// trigram index.
    pub query: Option<String>,
}

impl From<UserFilterInput> for UserFilter {
    fn from(f: UserFilterInput) -> Self {
        Self {
            email_addresses: f.email_address.unwrap_or_default(),
            usernames: f.username.unwrap_or_default(),
            user_ids: f
                .user_id
                .unwrap_or_default()
                .into_iter()
                .map(|id| id.0)
                .collect(),
            external_ids: f.external_id.unwrap_or_default(),
            organization_ids: f
                .organization_id
                .unwrap_or_default()
                .into_iter()
                .map(|id| id.0)
                .collect(),
            banned: f.banned,
            created_after: f.created_after,
            created_before: f.created_before,
            last_sign_in_after: f.last_sign_in_after,
            last_sign_in_before: f.last_sign_in_before,
            query: f.query,
            query_as_given: None,
        }
    }
}

/// The order of a list of users; ties go by id in the same direction. Users without the value
/// (never signed in, no username) come first ascending and last descending.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum UserOrderBy {
    /// Oldest first.
    CreatedAtAsc,
    /// Newest first (the default).
    CreatedAtDesc,
    /// Least recently changed first.
    UpdatedAtAsc,
    /// Most recently changed first.
    UpdatedAtDesc,
    /// Least recent sign-in first.
    LastSignInAtAsc,
    /// Most recent sign-in first.
    LastSignInAtDesc,
    /// Least recently active first.
    LastActiveAtAsc,
    /// Most recently active first.
    LastActiveAtDesc,
    /// By primary email address, A to Z.
    EmailAddressAsc,
    /// By primary email address, Z to A.
    EmailAddressDesc,
    /// By username, A to Z.
    UsernameAsc,
    /// By username, Z to A.
    UsernameDesc,
    /// By first name, A to Z.
    FirstNameAsc,
    /// By first name, Z to A.
    FirstNameDesc,
    /// By last name, A to Z.
    LastNameAsc,
    /// By last name, Z to A.
    LastNameDesc,
}

impl From<UserOrderBy> for UserOrder {
    fn from(o: UserOrderBy) -> Self {
        use UserOrderBy as O;
        use UserOrderField as F;
        let (field, descending) = match o {
            O::CreatedAtAsc => (F::CreatedAt, false),
            O::CreatedAtDesc => (F::CreatedAt, true),
            O::UpdatedAtAsc => (F::UpdatedAt, false),
            O::UpdatedAtDesc => (F::UpdatedAt, true),
            O::LastSignInAtAsc => (F::LastSignInAt, false),
            O::LastSignInAtDesc => (F::LastSignInAt, true),
            O::LastActiveAtAsc => (F::LastActiveAt, false),
            O::LastActiveAtDesc => (F::LastActiveAt, true),
            O::EmailAddressAsc => (F::EmailAddress, false),
            O::EmailAddressDesc => (F::EmailAddress, true),
            O::UsernameAsc => (F::Username, false),
            O::UsernameDesc => (F::Username, true),
            O::FirstNameAsc => (F::FirstName, false),
            O::FirstNameDesc => (F::FirstName, true),
            O::LastNameAsc => (F::LastName, false),
            O::LastNameDesc => (F::LastName, true),
        };
        Self { field, descending }
    }
}

/// A page of users, and how many users pass the filter in all.
pub struct UserList {
    data: Vec<User>,
    filter: UserFilter,
}

/// A page of users.
#[Object]
impl UserList {
    /// The users of this page.
    async fn data(&self) -> &[User] {
        &self.data
    }

    /// How many users pass the filter, on every page (counted only when asked for).
    async fn total_count(&self, ctx: &Context<'_>) -> GqlResult<u64> {
        let (platform, caller) = scope(ctx)?;
        platform
            .count_users(caller, self.filter.clone())
            .await
            .gql()
    }
}

#[Object]
impl UserQuery {
    /// A user of the instance (secret key).
    async fn user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id (`user_…`).")] id: ID,
    ) -> GqlResult<User> {
        let (platform, caller) = scope(ctx)?;
        Ok(User(platform.backend_user(caller, &id).await.gql()?))
    }

    /// A page of the instance's users (secret key), with email addresses in a fixed number of
    /// queries whatever the page's size.
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which users; all when left out.")] filter: Option<UserFilterInput>,
        #[graphql(desc = "The order; `CREATED_AT_DESC` when left out.")] order_by: Option<
            UserOrderBy,
        >,
        #[graphql(desc = "How many, 1 to 500 (default 10).")] limit: Option<i64>,
        #[graphql(desc = "How many to skip (default 0).")] offset: Option<i64>,
    ) -> GqlResult<UserList> {
        let (platform, caller) = scope(ctx)?;
        let filter: UserFilter = filter.unwrap_or_default().into();
        let order = order_by.map(UserOrder::from).unwrap_or_default();
        let users = platform
            .list_users(caller, filter.clone(), order, limit, offset)
            .await
            .gql()?;
        Ok(UserList {
            data: users.into_iter().map(User).collect(),
            filter,
        })
    }

    /// How many of the instance's users pass the filter (secret key).
    async fn users_count(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which users; all when left out.")] filter: Option<UserFilterInput>,
    ) -> GqlResult<u64> {
        let (platform, caller) = scope(ctx)?;
        platform
            .count_users(caller, filter.unwrap_or_default().into())
            .await
            .gql()
    }
}
