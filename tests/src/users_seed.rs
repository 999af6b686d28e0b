//! Many users seeded into one instance of a migrated database, fast: multi-row `INSERT`s of
//! 1,000 rows each, 100,000 users per transaction (two connections at once on PostgreSQL), for
//! `users`, `email_addresses` and (SQLite) `user_search_rows` and `user_search`. Each row is what `store::users::insert` writes for such
//! a user: the search text is the domain's own `search_text`, `primary_email` the normalized
//! address, the metadata `{}`. Shared by the `seed-users` and `bench-users` binaries and the
//! tests of `users` over many users.
//!
//! The spread is fixed by the user's number `i` (a hash of it, no random state): names from
//! small lists (about 10 % without), `first.last{i}@example{i % 50}.com`, a username for about
//! half, an external id for a third, a password (all the same hash) for 90 %, creation times
//! over three years in the order of `i`, a sign-in and activity since for about 70 %, about 1 %
//! banned, and about 0.1 % named [`RARE_LAST_NAME`].

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use latchkey_domain::ids::{IdKind, new_id};
use latchkey_domain::model::user::{User, UserEmailAddress};
use latchkey_domain::model::user_query::search_text;
use sea_orm::sqlx::postgres::PgConnectOptions;
use sea_orm::sqlx::sqlite::SqliteConnectOptions;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
    TransactionTrait, Value,
};

/// The password of every seeded user that has one.
pub const PASSWORD: &str = "a sturdy passphrase";
/// The last name of about one user in a thousand (a rare `query`).
pub const RARE_LAST_NAME: &str = "Quartermaine";
/// Rows in one `INSERT`: 14 values each for `users` (14,000, under SQLite's 32,766).
const ROWS_PER_STATEMENT: usize = 1_000;
/// Users in one transaction: few commits, since each writes every page it dirtied to SQLite's
/// WAL, and random ids dirty pages all over their indexes.
const USERS_PER_TRANSACTION: u64 = 100_000;

#[rustfmt::skip]
const FIRST: [&str; 32] = [
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
    "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Aiko", "Chen", "Fatima", "Jose",
    "Olga", "Priya", "Sven", "Zoe",
];
#[rustfmt::skip]
const LAST: [&str; 40] = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
    "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "Torres", "Nguyen", "Hill", "Flores", "Okafor",
];

/// What to seed.
pub struct Seed {
    pub database_url: String,
    pub instance_id: String,
    pub count: u64,
    /// The first user's number; by default the instance's user count (so seeding again adds
    /// users with new addresses).
    pub start: Option<u64>,
    /// `VACUUM ANALYZE` (PostgreSQL) or `ANALYZE` (SQLite) the tables afterwards.
    pub analyze: bool,
}

/// A 64-bit mix of `i` and `salt` (splitmix64): the seeded spread without random state.
fn hash(i: u64, salt: u64) -> u64 {
    let mut z = i
        .wrapping_add(salt.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A fraction in [0, 1) from `i` and `salt`.
fn fraction(i: u64, salt: u64) -> f64 {
    (hash(i, salt) >> 11) as f64 / (1u64 << 53) as f64
}

/// The seeded user number `i`, created at `created_at`.
fn user(instance_id: &str, i: u64, created_at: DateTime<Utc>, now: DateTime<Utc>) -> User {
    let h = hash(i, 1);
    let named = !h.is_multiple_of(10);
    let first = FIRST[(hash(i, 2) % FIRST.len() as u64) as usize];
    let last = if hash(i, 3).is_multiple_of(1000) {
        RARE_LAST_NAME
    } else {
        LAST[(hash(i, 4) % LAST.len() as u64) as usize]
    };
    let local = if named {
        format!("{}.{}{i}", first.to_lowercase(), last.to_lowercase())
    } else {
        format!("user{i}")
    };
    let username = hash(i, 5).is_multiple_of(2).then(|| {
        if named {
            format!("{}_{}{i}", first.to_lowercase(), last.to_lowercase())
        } else {
            format!("user_{i}")
        }
    });
    let between = |from: DateTime<Utc>, salt: u64| {
        let span = (now - from).num_microseconds().unwrap_or(0).max(0) as f64;
        from + TimeDelta::microseconds((span * fraction(i, salt)) as i64)
    };
    let last_sign_in_at = (hash(i, 6) % 10 < 7).then(|| between(created_at, 7));
    let last_active_at = last_sign_in_at.map(|at| between(at, 8));
    let email = UserEmailAddress {
        id: new_id(IdKind::EmailAddress),
        email_address: format!("{local}@example{}.com", i % 50),
        verified: true,
    };
    User {
        id: new_id(IdKind::User),
        instance_id: instance_id.to_owned(),
        external_id: hash(i, 9).is_multiple_of(3).then(|| format!("crm_{i}")),
        username,
        first_name: named.then(|| first.to_owned()),
        last_name: named.then(|| last.to_owned()),
        image_url: None,
        primary_email_address_id: Some(email.id.clone()),
        email_addresses: vec![email],
        password_enabled: !hash(i, 12).is_multiple_of(10),
        totp_enabled: false,
        backup_code_enabled: false,
        public_metadata: serde_json::json!({}),
        private_metadata: serde_json::json!({}),
        unsafe_metadata: serde_json::json!({}),
        banned: hash(i, 10).is_multiple_of(100),
        locked_until: None,
        last_sign_in_at,
        last_active_at,
        created_at,
        // A sign-in is the last write such a user saw (`record_sign_in`).
        updated_at: last_sign_in_at.unwrap_or(created_at),
    }
}

/// Opens one connection for seeding: SQLite with a large page cache, temporary data in memory
/// and a busy timeout (the server may be running); PostgreSQL with `synchronous_commit` off
/// and a large GIN pending list.
async fn connect(url: &str) -> DatabaseConnection {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .max_connections(1)
        .min_connections(1)
        .map_sqlx_sqlite_opts(|o: SqliteConnectOptions| {
            o.busy_timeout(Duration::from_secs(60))
                .pragma("cache_size", "-1048576")
                .pragma("synchronous", "NORMAL")
                // Each multi-row INSERT keeps a statement journal: in memory, not a temp file.
                .pragma("temp_store", "MEMORY")
        })
        .map_sqlx_postgres_opts(|o: PgConnectOptions| {
            o.options([
                ("synchronous_commit", "off"),
                // The trigram index's new entries are merged into it in large batches (and by
                // the VACUUM at the end), not every 4 MB.
                ("gin_pending_list_limit", "256MB"),
                ("work_mem", "256MB"),
                ("maintenance_work_mem", "1GB"),
            ])
        });
    Database::connect(options)
        .await
        .expect("connect to the database to seed")
}

/// A statement written with bare `?` placeholders: SQLite's own (anonymous parameters: sqlx
/// looks a numbered one up by name, which is quadratic in a statement of 14,000), numbered
/// `$1`, `$2`, … for PostgreSQL.
fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    if backend != DbBackend::Postgres {
        return Statement::from_sql_and_values(backend, sql, values);
    }
    let mut out = String::with_capacity(sql.len() + values.len() * 6);
    for (k, part) in sql.split('?').enumerate() {
        if k > 0 {
            out.push_str(&format!("${k}"));
        }
        out.push_str(part);
    }
    Statement::from_sql_and_values(backend, out, values)
}

/// `(row), (row), …`: `rows` copies of a row template, whose `{i}` is the instance's id as a
/// literal.
fn tuples(rows: usize, template: &str, instance_id: &str) -> String {
    let literal = format!("'{}'", instance_id.replace('\'', "''"));
    vec![format!("({})", template.replace("{i}", &literal)); rows].join(", ")
}

const USER_COLUMNS: &str = "id, instance_id, username, first_name, last_name, password_hash, \
    primary_email_address_id, primary_email, external_id, search_text, public_metadata, \
    private_metadata, unsafe_metadata, banned, last_sign_in_at, failed_sign_in_attempts, \
    locked_until, last_active_at, totp_secret, totp_verified, totp_last_step, backup_codes, \
    created_at, updated_at";
const USER_ROW: &str = "?, {i}, ?, ?, ?, ?, ?, ?, ?, ?, '{}', '{}', '{}', ?, ?, 0, NULL, ?, NULL, \
    FALSE, NULL, NULL, ?, ?";
const EMAIL_ROW: &str = "?, {i}, ?, ?, ?, TRUE, ?";

/// Writes one chunk of users (at most `ROWS_PER_STATEMENT`) and their email addresses.
async fn insert_chunk(
    db: &impl ConnectionTrait,
    instance_id: &str,
    users: &[User],
    password_hash: &str,
) {
    let backend = db.get_database_backend();
    let mut values: Vec<Value> = Vec::new();
    for u in users {
        let primary = u
            .primary_email_address()
            .map(|e| e.email_address.to_ascii_lowercase());
        values.extend([
            u.id.as_str().into(),
            u.username.clone().into(),
            u.first_name.clone().into(),
            u.last_name.clone().into(),
            u.password_enabled.then(|| password_hash.to_owned()).into(),
            u.primary_email_address_id.clone().into(),
            primary.into(),
            u.external_id.clone().into(),
            search_text(u).into(),
            u.banned.into(),
            u.last_sign_in_at.into(),
            u.last_active_at.into(),
            u.created_at.into(),
            u.updated_at.into(),
        ]);
    }
    let sql = format!(
        "INSERT INTO users ({USER_COLUMNS}) VALUES {}",
        tuples(users.len(), USER_ROW, instance_id)
    );
    db.execute_raw(statement(backend, &sql, values))
        .await
        .expect("insert users");
    let mut values: Vec<Value> = Vec::new();
    let mut rows = 0;
    for u in users {
        for e in &u.email_addresses {
            values.extend([
                e.id.as_str().into(),
                u.id.as_str().into(),
                e.email_address.as_str().into(),
                e.email_address.to_ascii_lowercase().into(),
                u.created_at.into(),
            ]);
            rows += 1;
        }
    }
    let sql = format!(
        "INSERT INTO email_addresses (id, instance_id, user_id, email_address, normalized, \
         verified, created_at) VALUES {}",
        tuples(rows, EMAIL_ROW, instance_id)
    );
    db.execute_raw(statement(backend, &sql, values))
        .await
        .expect("insert email addresses (an address taken already? pass --start)");
    if backend == DbBackend::Sqlite {
        let ids: Vec<Value> = users.iter().map(|u| u.id.as_str().into()).collect();
        let sql = format!(
            "INSERT INTO user_search_rows (user_id) VALUES {}",
            vec!["(?)"; ids.len()].join(", ")
        );
        db.execute_raw(statement(backend, &sql, ids))
            .await
            .expect("insert user_search_rows");
        // The rows just numbered are the highest (a new row is numbered the highest plus one).
        db.execute_raw(statement(
            backend,
            "INSERT INTO user_search (rowid, user_id, search_text) \
             SELECT r.id, r.user_id, u.search_text FROM user_search_rows r \
             JOIN users u ON u.id = r.user_id \
             WHERE r.id > (SELECT MAX(id) FROM user_search_rows) - ?",
            vec![(users.len() as i64).into()],
        ))
        .await
        .expect("insert user_search");
    }
}

/// What the workers share: the users' numbers, times and password.
struct Plan<'a> {
    seed: &'a Seed,
    first: u64,
    password_hash: String,
    now: DateTime<Utc>,
    start_at: DateTime<Utc>,
    step_us: f64,
    done: AtomicU64,
}

impl Plan<'_> {
    /// The `k`-th user of this run, created `k` steps (and a jitter) after the start.
    fn user(&self, k: u64) -> User {
        let i = self.first + k;
        let at = (k as f64 + fraction(i, 11)) * self.step_us;
        let created_at = self.start_at + TimeDelta::microseconds(at as i64);
        user(&self.seed.instance_id, i, created_at, self.now)
    }
}

/// Writes the users of `range` on a connection of its own.
async fn worker(plan: &Plan<'_>, range: Range<u64>) {
    let db = connect(&plan.seed.database_url).await;
    let mut k = range.start;
    while k < range.end {
        let txn = db.begin().await.expect("begin");
        let begun = k;
        let end = range.end.min(k + USERS_PER_TRANSACTION);
        while k < end {
            let last = end.min(k + ROWS_PER_STATEMENT as u64);
            let chunk: Vec<User> = (k..last).map(|k| plan.user(k)).collect();
            insert_chunk(&txn, &plan.seed.instance_id, &chunk, &plan.password_hash).await;
            plan.done.fetch_add(last - k, Ordering::Relaxed);
            k = last;
        }
        // The instance's count, as the server keeps it (`store::user_counts`).
        txn.execute_raw(statement(
            txn.get_database_backend(),
            "INSERT INTO user_counts (instance_id, users) VALUES (?, ?) \
             ON CONFLICT (instance_id) DO UPDATE SET users = user_counts.users + excluded.users",
            vec![
                plan.seed.instance_id.as_str().into(),
                ((end - begun) as i64).into(),
            ],
        ))
        .await
        .expect("count the users");
        txn.commit().await.expect("commit");
    }
    db.close().await.ok();
}

/// Seeds the users; prints progress (users per second) and gives the first user's number.
/// PostgreSQL is written by two connections at once (it has a core each), SQLite by one.
pub async fn seed(seed: &Seed) -> u64 {
    let db = connect(&seed.database_url).await;
    let backend = db.get_database_backend();
    let scalar = async |sql: &str| {
        let values = vec![seed.instance_id.as_str().into()];
        let row = db.query_one_raw(statement(backend, sql, values)).await;
        let row = row.expect("a query").expect("a row");
        row.try_get_by_index::<i64>(0).expect("a number")
    };
    let known = scalar("SELECT COUNT(*) FROM instances WHERE id = ?").await;
    assert!(
        known == 1,
        "no instance {} in this database",
        seed.instance_id
    );
    let existing = scalar("SELECT COUNT(*) FROM users WHERE instance_id = ?").await;
    let first = seed.start.unwrap_or(existing as u64);
    let password_hash = latchkey_domain::actors::hasher::Hasher::new(1)
        .expect("a hashing thread")
        .hash(PASSWORD.to_owned())
        .await
        .expect("hash the password");
    let now = Utc::now();
    let start_at = now - TimeDelta::days(3 * 365);
    let plan = Plan {
        seed,
        first,
        password_hash,
        now,
        start_at,
        step_us: (now - start_at).num_microseconds().unwrap_or(0) as f64 / seed.count.max(1) as f64,
        done: AtomicU64::new(0),
    };
    let postgres = backend == DbBackend::Postgres;
    println!(
        "seeding {} users (numbers {first}..{}) into {} ({}; {existing} there already)",
        seed.count,
        first + seed.count,
        seed.instance_id,
        if postgres { "PostgreSQL" } else { "SQLite" },
    );
    let workers: u64 = if postgres { 2 } else { 1 };
    let share = seed.count.div_ceil(workers);
    let ranges =
        (0..workers).map(|w| (w * share).min(seed.count)..((w + 1) * share).min(seed.count));
    let mut all = std::pin::pin!(futures_util::future::join_all(
        ranges.map(|range| worker(&plan, range))
    ));
    let started = Instant::now();
    let progress = |note: &str| {
        let done = plan.done.load(Ordering::Relaxed) as f64;
        let seconds = started.elapsed().as_secs_f64();
        let rate = done / seconds;
        println!("  {done:>9} users in {seconds:>7.1} s: {rate:>7.0} users/s{note}");
    };
    loop {
        tokio::select! {
            _ = &mut all => break,
            () = tokio::time::sleep(Duration::from_secs(2)) => progress(""),
        }
    }
    progress(" (committed)");
    if seed.analyze {
        let at = Instant::now();
        // PostgreSQL: also moves the trigram index's pending list into the index.
        let sql = if postgres {
            "VACUUM (ANALYZE) users, email_addresses"
        } else {
            "ANALYZE"
        };
        db.execute_unprepared(sql).await.expect("analyze");
        println!("{sql}: {:.1} s", at.elapsed().as_secs_f64());
    }
    db.close().await.ok();
    first
}
