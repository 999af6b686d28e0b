//! A throwaway database per test. SQLite: a file in a temporary directory. PostgreSQL: a new
//! database created through `LATCHKEY_TEST_DATABASE_URL` and dropped when the test ends.

use sea_orm::{ConnectionTrait, Database};
use tempfile::TempDir;

/// The engine this run tests, from `LATCHKEY_TEST_DATABASE_URL`. Every test runs on that engine;
/// when it is set and PostgreSQL does not answer, the test fails (on CI and off it): asking for
/// PostgreSQL and silently getting SQLite would hide exactly what the PostgreSQL run is for.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("LATCHKEY_TEST_DATABASE_URL")
        .ok()
        .filter(|v| !v.trim().is_empty())
}

/// One test's database.
pub struct TestDb {
    /// The URL the server connects to.
    pub url: String,
    /// A directory the test may use (SQLite keeps its file here).
    pub dir: TempDir,
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// A fresh, empty database on the engine of this run.
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        match postgres_admin_url() {
            None => {
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("latchkey.db").display()
                );
                Self {
                    url,
                    dir,
                    postgres: None,
                }
            }
            Some(admin_url) => {
                let name = format!("latchkey_t_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(&admin_url).await.unwrap_or_else(|e| {
                    panic!("LATCHKEY_TEST_DATABASE_URL is set but PostgreSQL does not answer: {e}")
                });
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .unwrap();
                admin.close().await.ok();
                let url = replace_database(&admin_url, &name);
                Self {
                    url,
                    dir,
                    postgres: Some((admin_url, name)),
                }
            }
        }
    }

    /// Whether this database is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }
}

/// `postgres://user@host:port/db?x` with its database replaced.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else {
            return;
        };
        // Dropped on a thread of its own: Drop cannot await, and the test's runtime may be gone.
        let dropper = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(admin) = Database::connect(&admin_url).await {
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                    let _ = admin.close().await;
                }
            });
        });
        let _ = dropper.join();
    }
}

impl TestDb {
    /// The master key file of the test's servers, made (with a random key) on first use: a
    /// shared database needs the key file to exist before the server starts.
    pub fn master_key_file(&self) -> std::path::PathBuf {
        let path = self.dir.path().join("master.key");
        if !path.exists() {
            write_master_key(&path);
        }
        path
    }

    /// Runs a query that returns one row of one column, as text (numbers and nulls included:
    /// `None` for SQL null), on a connection of its own.
    pub async fn scalar(&self, sql: &str) -> Option<String> {
        use sea_orm::{ConnectionTrait, Statement};
        let db = sea_orm::Database::connect(self.url.as_str()).await.unwrap();
        let backend = db.get_database_backend();
        let row = db
            .query_one_raw(Statement::from_string(backend, sql.to_owned()))
            .await
            .unwrap()
            .expect("one row");
        let value = row
            .try_get_by_index::<Option<String>>(0)
            .or_else(|_| {
                row.try_get_by_index::<Option<i64>>(0)
                    .map(|v| v.map(|n| n.to_string()))
            })
            .or_else(|_| {
                row.try_get_by_index::<Option<i32>>(0)
                    .map(|v| v.map(|n| n.to_string()))
            })
            .or_else(|_| {
                row.try_get_by_index::<Option<bool>>(0)
                    .map(|v| v.map(|b| b.to_string()))
            })
            .unwrap();
        db.close().await.ok();
        value
    }

    /// Runs a statement that returns no rows (to put the database in a state the server no
    /// longer makes, such as rows written by an older version), on a connection of its own.
    pub async fn execute(&self, sql: &str) {
        use sea_orm::ConnectionTrait;
        let db = sea_orm::Database::connect(self.url.as_str()).await.unwrap();
        db.execute_unprepared(sql).await.unwrap();
        db.close().await.ok();
    }

    /// Waits (up to 30 s) until the value of `sql` satisfies `done`, for what another part of
    /// the server does on its own (the mailer); fails the test with `what` otherwise.
    pub async fn wait_until(&self, sql: &str, done: impl Fn(&str) -> bool, what: &str) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            if done(self.scalar(sql).await.unwrap_or_default().as_str()) {
                return;
            }
            assert!(tokio::time::Instant::now() < deadline, "{what}");
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    }

    /// How many rows `table` has.
    pub async fn count(&self, table: &str) -> i64 {
        self.scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .await
            .unwrap()
            .parse()
            .unwrap()
    }
}

/// Writes a new random master key (hex) to `path`.
pub fn write_master_key(path: &std::path::Path) {
    let key = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    std::fs::write(path, key).expect("write the master key file");
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn the_database_name_is_replaced() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            replace_database("postgres://h:5432", "x"),
            "postgres://h:5432/x"
        );
        assert_eq!(
            replace_database("postgres://h/db?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
    }
}
