//! Migrations on a database that already holds data: users written before the search migration
//! (10) and the email-verification migration (11) are found, ordered and signed in afterwards;
//! an instance written before the organizations migration (12) has its default roles; a session
//! written before the session-factors migration (15) counts its start as its first factor. And on
//! SQLite, a client's and a user's sessions are read through their indexes (16).

use latchkey_migration::{Migrator, MigratorTrait};
use latchkey_tests::TestDb;
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};

/// Runs `sql` (written with `$n` placeholders) with `values`.
async fn exec(db: &impl ConnectionTrait, sql: &str, values: Vec<sea_orm::Value>) {
    let backend = db.get_database_backend();
    let sql = if backend == DbBackend::Postgres {
        sql.to_owned()
    } else {
        sql.replace('$', "?")
    };
    db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .unwrap();
}

#[tokio::test]
async fn users_written_before_the_search_migration_are_found_afterwards() {
    let test_db = TestDb::new().await;
    let db = Database::connect(&test_db.url).await.unwrap();
    Migrator::up(&db, Some(9)).await.unwrap();
    let now = chrono::Utc::now();
    exec(
        &db,
        "INSERT INTO instances (id, name, environment, publishable_key, settings, created_at, updated_at) \
         VALUES ('ins_old', 'Old', 'development', 'pk_test_old', '{}', $1, $1)",
        vec![now.into()],
    )
    .await;
    for (id, username, first, last, email_id, email) in [
        (
            "user_a",
            Some("grace_h"),
            "Grace",
            "Hopper",
            "idn_a",
            "Grace@Navy.mil",
        ),
        (
            "user_b",
            None,
            "Ada",
            "Lovelace-Ørsted",
            "idn_b",
            "ada@example.com",
        ),
    ] {
        exec(
            &db,
            "INSERT INTO users (id, instance_id, username, first_name, last_name, primary_email_address_id, \
             public_metadata, private_metadata, unsafe_metadata, banned, failed_sign_in_attempts, totp_verified, \
             created_at, updated_at) VALUES ($1, 'ins_old', $2, $3, $4, $5, '{}', '{}', '{}', FALSE, 0, FALSE, $6, $6)",
            vec![
                id.into(),
                username.into(),
                first.into(),
                last.into(),
                email_id.into(),
                now.into(),
            ],
        )
        .await;
        exec(
            &db,
            "INSERT INTO email_addresses (id, instance_id, user_id, email_address, normalized, verified, created_at) \
             VALUES ($1, 'ins_old', $2, $3, $4, TRUE, $5)",
            vec![
                email_id.into(),
                id.into(),
                email.into(),
                email.to_ascii_lowercase().into(),
                now.into(),
            ],
        )
        .await;
    }
    Migrator::up(&db, None).await.unwrap();

    let filter = latchkey_domain::model::user_query::UserFilter {
        query: Some("navy".into()),
        ..Default::default()
    }
    .checked()
    .unwrap();
    let page = latchkey_domain::model::user_query::Page::new(None, None).unwrap();
    let order = latchkey_domain::model::user_query::UserOrder {
        field: latchkey_domain::model::user_query::UserOrderField::EmailAddress,
        descending: false,
    };
    let found = latchkey_domain::store::user_search::list(&db, "ins_old", &filter, order, page)
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(),
        ["user_a"]
    );
    let everyone = latchkey_domain::model::user_query::UserFilter::default();
    let by_email =
        latchkey_domain::store::user_search::list(&db, "ins_old", &everyone, order, page)
            .await
            .unwrap();
    assert_eq!(
        by_email.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(),
        ["user_b", "user_a"],
        "ordered by the backfilled primary email address"
    );
    // Found by a non-ASCII substring through the trigram index, and tested on the user when
    // named (migration 13 lowercased the search text SQLite's `lower()` left as it was).
    for user_ids in [vec![], vec!["user_b".to_owned()]] {
        let filter = latchkey_domain::model::user_query::UserFilter {
            query: Some("ØRSTED".into()),
            user_ids,
            ..Default::default()
        }
        .checked()
        .unwrap();
        let found = latchkey_domain::store::user_search::list(&db, "ins_old", &filter, order, page)
            .await
            .unwrap();
        assert_eq!(
            found.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(),
            ["user_b"],
            "{filter:?}"
        );
    }
    let all = latchkey_domain::store::user_search::count(&db, "ins_old", &everyone)
        .await
        .unwrap();
    assert_eq!(all, 2, "migration 13 counted the instance's users");
    for query in ["ada lovelace", "grace_h", "hopper"] {
        let filter = latchkey_domain::model::user_query::UserFilter {
            query: Some(query.into()),
            ..Default::default()
        }
        .checked()
        .unwrap();
        let count = latchkey_domain::store::user_search::count(&db, "ins_old", &filter)
            .await
            .unwrap();
        assert_eq!(count, 1, "{query}");
    }
    // Sign-in still finds the (verified) address after migration 11 made uniqueness partial.
    let found = latchkey_domain::store::users::find_for_sign_in(&db, "ins_old", "GRACE@navy.mil")
        .await
        .unwrap();
    assert_eq!(found.map(|f| f.user.id), Some("user_a".to_owned()));
    // Migration 12 gave the instance its default roles.
    let roles = latchkey_domain::store::roles::all(&db, "ins_old")
        .await
        .unwrap();
    let keys: Vec<(&str, usize)> = roles
        .iter()
        .map(|r| (r.key.as_str(), r.permissions.len()))
        .collect();
    assert_eq!(keys, [("org:admin", 6), ("org:member", 1)]);
    db.close().await.ok();
}

#[tokio::test]
async fn a_session_written_before_the_factors_migration_counts_its_start_as_its_first_factor() {
    let test_db = TestDb::new().await;
    let db = Database::connect(&test_db.url).await.unwrap();
    Migrator::up(&db, Some(14)).await.unwrap();
    let started = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    let later = started + chrono::Duration::hours(1);
    for (sql, values) in [
        (
            "INSERT INTO instances (id, name, environment, publishable_key, settings, created_at, updated_at) \
             VALUES ('ins_old', 'Old', 'development', 'pk_test_old', '{}', $1, $1)",
            vec![started.into()],
        ),
        (
            "INSERT INTO users (id, instance_id, public_metadata, private_metadata, unsafe_metadata, banned, \
             failed_sign_in_attempts, totp_verified, search_text, created_at, updated_at) \
             VALUES ('user_old', 'ins_old', '{}', '{}', '{}', FALSE, 0, FALSE, 'user_old', $1, $1)",
            vec![started.into()],
        ),
        (
            "INSERT INTO clients (id, instance_id, token_hash, created_at, updated_at) \
             VALUES ('client_old', 'ins_old', 'hash_old', $1, $1)",
            vec![started.into()],
        ),
        (
            "INSERT INTO sessions (id, instance_id, client_id, user_id, status, last_active_at, expire_at, \
             abandon_at, created_at, updated_at) \
             VALUES ('sess_old', 'ins_old', 'client_old', 'user_old', 'active', $1, $2, $2, $1, $1)",
            vec![started.into(), later.into()],
        ),
    ] {
        exec(&db, sql, values).await;
    }
    Migrator::up(&db, None).await.unwrap();
    let found = latchkey_domain::store::sessions::find(&db, "ins_old", "sess_old")
        .await
        .unwrap()
        .expect("the session");
    assert_eq!(found.first_factor_verified_at, started);
    assert_eq!(found.second_factor_verified_at, None);
    db.close().await.ok();
}

#[tokio::test]
async fn a_clients_and_a_users_sessions_are_found_by_index_within_their_instance() {
    let test_db = TestDb::new().await;
    let db = Database::connect(&test_db.url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    if db.get_database_backend() != DbBackend::Sqlite {
        // PostgreSQL plans from statistics; SQLite, without them, from the indexes alone.
        return;
    }
    for (sql, index) in [
        (
            "SELECT * FROM sessions WHERE instance_id = 'ins_a' AND client_id = 'client_a' ORDER BY created_at, id",
            "idx_sessions_client_instance (client_id=? AND instance_id=?)",
        ),
        (
            "SELECT * FROM sessions WHERE instance_id = 'ins_a' AND user_id = 'user_a' ORDER BY created_at DESC",
            "idx_sessions_user_instance (user_id=? AND instance_id=?)",
        ),
    ] {
        let plan = db
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                format!("EXPLAIN QUERY PLAN {sql}"),
            ))
            .await
            .unwrap();
        let details: Vec<String> = plan
            .iter()
            .map(|row| row.try_get::<String>("", "detail").unwrap())
            .collect();
        assert!(
            details.iter().any(|d| d.contains(index)),
            "{sql}: {details:?}"
        );
    }
}

#[tokio::test]
async fn activity_is_written_by_looking_each_row_up_by_its_id() {
    use latchkey_domain::store::sessions::{ActivityTable, activity_sql};
    let test_db = TestDb::new().await;
    let db = Database::connect(&test_db.url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    if db.get_database_backend() != DbBackend::Sqlite {
        return;
    }
    // A full chunk: SQLite once ran the values for every active session instead.
    for (table, alias, width, extra) in [
        (ActivityTable::Sessions, "s", 4, 1),
        (ActivityTable::Users, "u", 3, 0),
    ] {
        let sql = activity_sql(DbBackend::Sqlite, 500, table);
        let values: Vec<sea_orm::Value> = (0..500 * width + extra)
            .map(|i| format!("x{i}").into())
            .collect();
        let plan = db
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                format!("EXPLAIN QUERY PLAN {sql}"),
                values,
            ))
            .await
            .unwrap();
        let details: Vec<String> = plan
            .iter()
            .map(|row| row.try_get::<String>("", "detail").unwrap())
            .collect();
        let by_id = format!("SEARCH {alias} USING INDEX sqlite_autoindex_");
        assert!(
            details
                .iter()
                .any(|d| d.starts_with(&by_id) && d.ends_with("(id=?)")),
            "{details:?}"
        );
        assert!(
            !details
                .iter()
                .any(|d| d.starts_with(&format!("SCAN {alias}"))
                    || d.starts_with(&format!("SEARCH {alias} USING INDEX idx_"))),
            "{details:?}"
        );
    }
}
