//! Signed-in sessions seeded straight into the database (no sign-in, no argon2): users from
//! [`users_seed`](crate::users_seed), then for each a client with a known token and one active
//! session on it, written by the domain's own store functions, so each row is what a sign-in
//! writes. For benchmarks of many sessions refreshing.

use chrono::Utc;
use latchkey_domain::ids::{IdKind, new_id};
use latchkey_domain::model::session::Session;
use latchkey_domain::model::settings::SessionSettings;
use latchkey_domain::secrets::hash_secret;
use latchkey_domain::store;
use sea_orm::{ConnectionTrait, Database, Statement, TransactionTrait};

use crate::users_seed::{Seed, seed};

/// Sessions written per transaction.
const PER_TRANSACTION: usize = 5_000;

/// A seeded client: its token (as a browser would keep it) and its session.
#[derive(Clone, Debug)]
pub struct SeededSession {
    pub client_token: String,
    pub session_id: String,
}

/// Seeds `count` users into `instance_id` and signs each in on a client of its own; gives the
/// clients' tokens and sessions.
pub async fn seed_sessions(
    database_url: &str,
    instance_id: &str,
    count: u64,
) -> Vec<SeededSession> {
    seed(&Seed {
        database_url: database_url.to_owned(),
        instance_id: instance_id.to_owned(),
        count,
        start: None,
        analyze: false,
    })
    .await;
    let db = Database::connect(database_url)
        .await
        .expect("connect to seed sessions");
    let backend = db.get_database_backend();
    let placeholder = if backend == sea_orm::DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let sql = format!(
        "SELECT id FROM users WHERE instance_id = {placeholder} AND NOT banned ORDER BY id"
    );
    let users: Vec<String> = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [instance_id.into()],
        ))
        .await
        .expect("read the seeded users")
        .iter()
        .map(|row| row.try_get_by_index(0).expect("an id"))
        .collect();
    let now = Utc::now();
    let settings = SessionSettings::default();
    let mut seeded = Vec::with_capacity(users.len());
    for chunk in users.chunks(PER_TRANSACTION) {
        let txn = db.begin().await.expect("a transaction");
        for user_id in chunk {
            let client_token = latchkey_domain::secrets::new_secret("");
            let client_id = new_id(IdKind::Client);
            store::clients::insert(
                &txn,
                instance_id,
                &client_id,
                &hash_secret(&client_token),
                now,
            )
            .await
            .expect("insert a client");
            let session = Session::start(
                new_id(IdKind::Session),
                instance_id.to_owned(),
                client_id.clone(),
                user_id.clone(),
                &settings,
                now,
            );
            store::sessions::insert(&txn, &session)
                .await
                .expect("insert a session");
            store::clients::set_last_active_session(
                &txn,
                instance_id,
                &client_id,
                Some(&session.id),
                now,
            )
            .await
            .expect("make the session active");
            seeded.push(SeededSession {
                client_token,
                session_id: session.id,
            });
        }
        txn.commit().await.expect("commit the sessions");
    }
    db.close().await.ok();
    seeded
}
