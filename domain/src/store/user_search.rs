//! Listing and counting users: every filter and order of the backend's `users`, in one
//! statement each, walking the indexes of migration 10 from where [`Path`] says to start. A
//! `query` of three characters or more is a substring match through a trigram index:
//! `pg_trgm`'s GIN index on `users.search_text` (PostgreSQL), or the FTS5 `trigram` table
//! `user_search` (SQLite), which this module keeps; when it matches many users, it is tested
//! on each user of the order's walk instead.

use latchkey_entities::user;
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Statement, Value};

use super::raw_sql;
use super::user_paths::Path;
use crate::Result;
use crate::model::user::User;
use crate::model::user_query::{Page, TRIGRAM_MIN_CHARS, UserFilter, UserOrder, UserOrderField};

/// Writes a user's search text into SQLite's `user_search` (PostgreSQL indexes the column
/// itself): the user's row number is kept in `user_search_rows`, so a new text replaces the old.
pub(crate) async fn put(db: &impl ConnectionTrait, user_id: &str, text: &str) -> Result<()> {
    let backend = db.get_database_backend();
    if backend != DbBackend::Sqlite {
        return Ok(());
    }
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        "INSERT INTO user_search_rows (user_id) VALUES (?1) ON CONFLICT (user_id) DO NOTHING",
        [user_id.into()],
    ))
    .await?;
    remove(db, user_id).await?;
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        "INSERT INTO user_search (rowid, user_id, search_text) \
         SELECT id, ?1, ?2 FROM user_search_rows WHERE user_id = ?1",
        [user_id.into(), text.into()],
    ))
    .await?;
    Ok(())
}

/// Takes a user out of SQLite's `user_search` (before the user is deleted).
pub(crate) async fn remove(db: &impl ConnectionTrait, user_id: &str) -> Result<()> {
    let backend = db.get_database_backend();
    if backend != DbBackend::Sqlite {
        return Ok(());
    }
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        "DELETE FROM user_search WHERE rowid = (SELECT id FROM user_search_rows WHERE user_id = ?1)",
        [user_id.into()],
    ))
    .await?;
    Ok(())
}

/// A page of the instance's users that pass `filter`, in `order`, with their email addresses
/// (two statements whatever the page's size, after up to three bounded counts that choose
/// where to start: [`Path`]).
pub async fn list(
    db: &impl ConnectionTrait,
    instance_id: &str,
    filter: &UserFilter,
    order: UserOrder,
    page: Page,
) -> Result<Vec<User>> {
    let backend = db.get_database_backend();
    let path = Path::for_page(db, instance_id, filter, order.field).await?;
    let mut sql = Sql::new(backend, path, instance_id);
    sql.filter(filter);
    let (column, textual) = match order.field {
        UserOrderField::CreatedAt => ("created_at", false),
        UserOrderField::UpdatedAt => ("updated_at", false),
        UserOrderField::LastSignInAt => ("last_sign_in_at", false),
        UserOrderField::LastActiveAt => ("last_active_at", false),
        UserOrderField::EmailAddress => ("primary_email", true),
        UserOrderField::Username => ("username", true),
        UserOrderField::FirstName => ("first_name", true),
        UserOrderField::LastName => ("last_name", true),
    };
    // NULL first ascending, last descending, and text by its bytes: SQLite's rules, and the
    // order PostgreSQL's indexes are built in (migration 10).
    let postgres = backend == DbBackend::Postgres;
    let direction = if order.descending { "DESC" } else { "ASC" };
    let nulls = match (postgres, order.descending) {
        (true, false) => " NULLS FIRST",
        (true, true) => " NULLS LAST",
        (false, _) => "",
    };
    let bytes = if postgres { " COLLATE \"C\"" } else { "" };
    let collate = if textual { bytes } else { "" };
    let limit = sql.bind(page.limit);
    let offset = sql.bind(page.offset);
    let hide = if path.hide_order && !postgres {
        "+"
    } else {
        ""
    };
    let order_by =
        format!("{hide}u.{column}{collate} {direction}{nulls}, {hide}u.id{bytes} {direction}");
    let where_clause = sql.where_clause();
    let text = if postgres {
        // A deferred join: the rows an offset skips are walked in the order's index alone
        // (which holds the id), and only the page's rows are read from the table. (SQLite
        // reads no skipped row anyway: it seeks a row only for a column it needs.)
        let users = if path.hide_order {
            format!("(SELECT u.id, u.{column} FROM users u WHERE {where_clause} OFFSET 0) u")
        } else {
            format!("users u WHERE {where_clause}")
        };
        format!(
            "SELECT u.* FROM (SELECT u.id FROM {users} \
             ORDER BY {order_by} LIMIT {limit} OFFSET {offset}) page \
             JOIN users u ON u.id = page.id ORDER BY {order_by}"
        )
    } else {
        format!(
            "SELECT u.* FROM users u WHERE {where_clause} \
             ORDER BY {order_by} LIMIT {limit} OFFSET {offset}"
        )
    };
    let rows = user::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(
            backend,
            raw_sql(backend, &text),
            sql.values,
        ))
        .all(db)
        .await?;
    super::users::with_emails_batch(db, instance_id, rows).await
}

/// How many of the instance's users pass `filter` (all of them: the instance's count).
pub async fn count(
    db: &impl ConnectionTrait,
    instance_id: &str,
    filter: &UserFilter,
) -> Result<u64> {
    if *filter == UserFilter::default() {
        return super::user_counts::total(db, instance_id).await;
    }
    let backend = db.get_database_backend();
    let mut sql = Sql::new(backend, Path::for_count(backend, filter), instance_id);
    sql.filter(filter);
    let text = format!("SELECT COUNT(*) FROM users u WHERE {}", sql.where_clause());
    let n = super::number(db, &text, sql.values).await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// An FTS5 phrase that matches `query` as a substring (the trigram tokenizer).
pub(super) fn phrase(query: &str) -> String {
    format!("\"{}\"", query.replace('"', "\"\""))
}

/// A `LIKE` pattern that matches `query` as a substring.
pub(super) fn like_pattern(query: &str) -> String {
    let escaped = query
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A `WHERE` clause being built: conditions, and the values their `$n` placeholders bind (`$1`
/// is the instance's id).
struct Sql {
    backend: DbBackend,
    path: Path,
    conditions: Vec<String>,
    values: Vec<Value>,
}

impl Sql {
    fn new(backend: DbBackend, path: Path, instance_id: &str) -> Self {
        Self {
            backend,
            path,
            conditions: Vec::new(),
            values: vec![instance_id.into()],
        }
    }

    /// The instance's condition and every other, joined.
    fn where_clause(&self) -> String {
        let hide = if self.path.hide_instance { "+" } else { "" };
        let mut clause = format!("{hide}u.instance_id = $1");
        for condition in &self.conditions {
            clause.push_str(" AND ");
            clause.push_str(condition);
        }
        clause
    }

    /// Binds a value; gives its placeholder.
    fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        format!("${}", self.values.len())
    }

    fn list(&mut self, values: &[String]) -> String {
        let placeholders: Vec<String> = values.iter().map(|v| self.bind(v.as_str())).collect();
        placeholders.join(", ")
    }

    fn filter(&mut self, f: &UserFilter) {
        // An empty list is no condition.
        let lists: [(&Vec<String>, &str, &str); 5] = [
            (&f.user_ids, "u.id IN (", ")"),
            (&f.usernames, "u.username IN (", ")"),
            (&f.external_ids, "u.external_id IN (", ")"),
            (
                &f.email_addresses,
                "u.id IN (SELECT e.user_id FROM email_addresses e \
                 WHERE e.instance_id = $1 AND e.verified = TRUE AND e.normalized IN (",
                "))",
            ),
            (
                &f.organization_ids,
                "u.id IN (SELECT m.user_id FROM organization_memberships m \
                 WHERE m.instance_id = $1 AND m.organization_id IN (",
                "))",
            ),
        ];
        for (values, head, tail) in lists {
            if !values.is_empty() {
                let list = self.list(values);
                self.conditions.push(format!("{head}{list}{tail}"));
            }
        }
        if let Some(banned) = f.banned {
            let p = self.bind(banned);
            self.conditions.push(format!("u.banned = {p}"));
        }
        let plus = |hidden: bool| if hidden { "+" } else { "" };
        let (created, sign_in) = (plus(self.path.hide_created), plus(self.path.hide_sign_in));
        for (bound, hide, condition) in [
            (f.created_after, created, "u.created_at >"),
            (f.created_before, created, "u.created_at <"),
            (f.last_sign_in_after, sign_in, "u.last_sign_in_at >"),
            (f.last_sign_in_before, sign_in, "u.last_sign_in_at <"),
        ] {
            if let Some(at) = bound {
                let p = self.bind(at);
                self.conditions.push(format!("{hide}{condition} {p}"));
            }
        }
        if let (Some(query), Some(as_given)) = (&f.query, &f.query_as_given) {
            self.query(query, as_given);
        }
    }

    /// A substring of the search text (which is lowercase, as the checked query is), or the
    /// user's whole id as given: looked up in the trigram index, or tested on each user.
    fn query(&mut self, query: &str, as_given: &str) {
        let trigram = query.chars().count() >= TRIGRAM_MIN_CHARS;
        if self.backend == DbBackend::Sqlite && trigram && !self.path.query_as_test {
            // One `IN` over both (SQLite runs `IN (…) OR id = …` a hundred times slower).
            let (p, id) = (self.bind(phrase(query)), self.bind(as_given));
            self.conditions.push(format!(
                "u.id IN (SELECT user_id FROM user_search WHERE user_search MATCH {p} \
                 UNION ALL SELECT {id})"
            ));
            return;
        }
        let text = match self.backend {
            DbBackend::Postgres if trigram && !self.path.query_as_test => {
                let p = self.bind(like_pattern(query));
                format!("u.search_text LIKE {p}")
            }
            DbBackend::Postgres => {
                let p = self.bind(query);
                format!("strpos(u.search_text, {p}) > 0")
            }
            _ => {
                let p = self.bind(query);
                format!("instr(u.search_text, {p}) > 0")
            }
        };
        let id = self.bind(as_given);
        self.conditions.push(format!("({text} OR u.id = {id})"));
    }
}
