//! Where a statement over an instance's users starts, where the engine's planner would guess
//! wrong. Neither planner can tell how many users a substring or (SQLite, which keeps no
//! statistics here) a date range holds, and the right start depends on it: a few matches are
//! best fetched and sorted; many are best met by walking the order's index and testing each
//! user, which stops after a page's worth. So before a page is read, a bounded count (it stops
//! at [`FEW`] rows) tells which, and the statement is written so the planner has one good
//! choice: an index it should not take is hidden behind a unary `+` (SQLite), a subquery with
//! `OFFSET 0` (PostgreSQL: walking a text order's index to a common substring, it takes seconds),
//! or a substring test no index serves (`strpos`, `instr`).

use sea_orm::{ConnectionTrait, DbBackend, Value};

use super::number;
use crate::Result;
use crate::model::user_query::{TRIGRAM_MIN_CHARS, UserFilter, UserOrderField};

/// Up to this many matching users are fetched and sorted; past it, the order's index is walked.
/// Fetching a match costs a few times what testing a walked row does, so the two cost about
/// the same near `sqrt(users × page)`: about 5,000 for pages of 100 among a million users.
pub(super) const FEW: i64 = 5_000;

/// How a statement is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Path {
    /// SQLite: the instance's indexes are hidden, so the statement starts from `u.id IN (…)`:
    /// the users named by id, email address or organization, or the trigram matches.
    pub hide_instance: bool,
    /// The order's index is hidden, so the users are found first and sorted: behind a unary
    /// `+` (SQLite), or a subquery with `OFFSET 0`, which PostgreSQL plans on its own.
    pub hide_order: bool,
    /// The substring is tested on each user the statement walks (`strpos`, `instr`) rather
    /// than looked up (the trigram index; PostgreSQL's `LIKE` for a shorter one).
    pub query_as_test: bool,
    /// SQLite: the creation range is a test, not an index range (it holds many users).
    pub hide_created: bool,
    /// SQLite: the sign-in range is a test, not an index range (it holds many users).
    pub hide_sign_in: bool,
}

impl Path {
    /// How to count the users that pass `filter`: from the named users or the trigram
    /// matches when there are any, else as the planner likes.
    pub fn for_count(backend: DbBackend, filter: &UserFilter) -> Self {
        let sqlite = backend == DbBackend::Sqlite;
        let named = names_users(filter) || !filter.organization_ids.is_empty();
        let trigram = is_trigram(filter);
        Self {
            hide_instance: sqlite && (names_by_id(filter) || (trigram && !named)),
            query_as_test: named || !trigram,
            ..Self::default()
        }
    }

    /// How to read a page of users that pass `filter` in the order of `order_field`; may count
    /// up to [`FEW`] rows (of matches, members or a range) to choose.
    ///
    /// Only a time order is walked past many matches: the search text is made of the very
    /// names and addresses the text orders sort by, so walking one of those to a common
    /// substring ("smith" in last names) would pass most of the instance first.
    pub async fn for_page(
        db: &impl ConnectionTrait,
        instance_id: &str,
        filter: &UserFilter,
        order_field: UserOrderField,
    ) -> Result<Self> {
        let sqlite = db.get_database_backend() == DbBackend::Sqlite;
        let by_time = matches!(
            order_field,
            UserOrderField::CreatedAt
                | UserOrderField::UpdatedAt
                | UserOrderField::LastSignInAt
                | UserOrderField::LastActiveAt
        );
        let named = names_users(filter);
        let few_members = !named && few_members(db, instance_id, filter).await?;
        if named || few_members {
            // A hundred names at most, or the few members of the organizations named: fetch
            // them, test the rest, sort.
            let by_id = !(filter.user_ids.is_empty() && filter.email_addresses.is_empty());
            return Ok(Self {
                hide_instance: sqlite && (by_id || few_members),
                hide_order: true,
                query_as_test: true,
                ..Self::default()
            });
        }
        let trigram = is_trigram(filter);
        if trigram && !(by_time && many_matches(db, instance_id, filter).await?) {
            // A few matches, or an order they may bunch up in: fetch them, test the rest, sort.
            return Ok(Self {
                hide_instance: sqlite,
                hide_order: true,
                hide_created: sqlite,
                hide_sign_in: sqlite,
                ..Self::default()
            });
        }
        let mut path = Self {
            query_as_test: by_time,
            ..Self::default()
        };
        if sqlite {
            path.hide_created = order_field != UserOrderField::CreatedAt
                && many_in_range(
                    db,
                    instance_id,
                    "created_at",
                    filter.created_after,
                    filter.created_before,
                )
                .await?;
            path.hide_sign_in = order_field != UserOrderField::LastSignInAt
                && many_in_range(
                    db,
                    instance_id,
                    "last_sign_in_at",
                    filter.last_sign_in_after,
                    filter.last_sign_in_before,
                )
                .await?;
        }
        Ok(path)
    }
}

/// Whether the filter names its users (at most a hundred of each): by id, email address,
/// username or external id.
fn names_users(f: &UserFilter) -> bool {
    !(f.user_ids.is_empty()
        && f.email_addresses.is_empty()
        && f.usernames.is_empty()
        && f.external_ids.is_empty())
}

/// Whether the filter names organizations that have fewer than [`FEW`] members in all (an
/// organization may have any number).
async fn few_members(
    db: &impl ConnectionTrait,
    instance_id: &str,
    filter: &UserFilter,
) -> Result<bool> {
    if filter.organization_ids.is_empty() {
        return Ok(false);
    }
    let mut values: Vec<Value> = vec![instance_id.into()];
    let mut placeholders = Vec::with_capacity(filter.organization_ids.len());
    for id in &filter.organization_ids {
        values.push(id.as_str().into());
        placeholders.push(format!("${}", values.len()));
    }
    values.push(FEW.into());
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM organization_memberships \
         WHERE instance_id = $1 AND organization_id IN ({}) LIMIT ${}) m",
        placeholders.join(", "),
        values.len()
    );
    Ok(number(db, &sql, values).await? < FEW)
}

/// Whether the filter names users by id, email address or organization: conditions on
/// `u.id IN (…)`, served by the primary key.
fn names_by_id(f: &UserFilter) -> bool {
    !(f.user_ids.is_empty() && f.email_addresses.is_empty() && f.organization_ids.is_empty())
}

/// Whether the filter's `query` is long enough for the trigram index.
fn is_trigram(f: &UserFilter) -> bool {
    f.query
        .as_deref()
        .is_some_and(|q| q.chars().count() >= TRIGRAM_MIN_CHARS)
}

/// Whether at least [`FEW`] users' search texts hold the filter's query (SQLite's count is over
/// every instance: the trigram table has no instance column).
async fn many_matches(
    db: &impl ConnectionTrait,
    instance_id: &str,
    filter: &UserFilter,
) -> Result<bool> {
    let Some(query) = filter.query.as_deref() else {
        return Ok(false);
    };
    let backend = db.get_database_backend();
    let (sql, values): (&str, Vec<Value>) = match backend {
        DbBackend::Sqlite => (
            "SELECT COUNT(*) FROM (SELECT 1 FROM user_search WHERE user_search MATCH $1 LIMIT $2)",
            vec![super::user_search::phrase(query).into(), FEW.into()],
        ),
        _ => (
            "SELECT COUNT(*) FROM (SELECT 1 FROM users WHERE instance_id = $1 \
             AND search_text LIKE $2 LIMIT $3) m",
            vec![
                instance_id.into(),
                super::user_search::like_pattern(query).into(),
                FEW.into(),
            ],
        ),
    };
    Ok(number(db, sql, values).await? >= FEW)
}

/// Whether at least [`FEW`] of the instance's users have `column` inside the range (when one
/// is given).
async fn many_in_range(
    db: &impl ConnectionTrait,
    instance_id: &str,
    column: &str,
    after: Option<chrono::DateTime<chrono::Utc>>,
    before: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<bool> {
    if after.is_none() && before.is_none() {
        return Ok(false);
    }
    let mut values: Vec<Value> = vec![instance_id.into()];
    let mut sql = String::from("SELECT COUNT(*) FROM (SELECT 1 FROM users WHERE instance_id = $1");
    for (bound, op) in [(after, ">"), (before, "<")] {
        if let Some(at) = bound {
            values.push(at.into());
            sql.push_str(&format!(" AND {column} {op} ${}", values.len()));
        }
    }
    values.push(FEW.into());
    sql.push_str(&format!(" LIMIT ${}) m", values.len()));
    Ok(number(db, &sql, values).await? >= FEW)
}
