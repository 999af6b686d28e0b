//! Seeds many users into one instance of an existing, migrated database (for `bench-users`, or
//! to try the backend's `users` on a realistic instance).
//!
//! `cargo run --release -p latchkey-tests --bin seed-users -- --database-url URL \
//!  --instance-id ins_… --count N [--start K] [--analyze | --no-analyze]`
//!
//! - URL: `sqlite://path/latchkey.db` or `postgres://…` (the database must exist and be
//!   migrated: start `latchkey` on it once, or `latchkey instance create`).
//! - `--start K`: the first user's number (addresses are `first.last{K}@example{K % 50}.com`, …);
//!   by default the instance's current user count, so seeding again adds new users.
//! - Afterwards PostgreSQL's tables are `VACUUM (ANALYZE)`d (what autovacuum would do within a
//!   minute or two; `--no-analyze` skips it). SQLite is left without statistics, as Latchkey
//!   leaves it (`--analyze` runs `ANALYZE`).
//!
//! What is written, and how fast: see `tests/src/users_seed.rs`. Every seeded user with a
//! password has the password `a sturdy passphrase`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use latchkey_tests::users_seed;
use std::time::Instant;

fn usage() -> ! {
    eprintln!(
        "usage: seed-users --database-url URL --instance-id ID --count N [--start K] \
         [--analyze | --no-analyze]"
    );
    std::process::exit(2);
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (mut url, mut instance, mut count, mut start, mut analyze) = (None, None, None, None, None);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--database-url" => url = Some(value()),
            "--instance-id" => instance = Some(value()),
            "--count" => count = Some(value().replace(['_', ','], "").parse().expect("--count N")),
            "--start" => start = Some(value().parse().expect("--start K")),
            "--analyze" => analyze = Some(true),
            "--no-analyze" => analyze = Some(false),
            _ => usage(),
        }
    }
    let (Some(database_url), Some(instance_id), Some(count)) = (url, instance, count) else {
        usage()
    };
    let postgres = database_url.starts_with("postgres");
    let seed = users_seed::Seed {
        database_url,
        instance_id,
        count,
        start,
        analyze: analyze.unwrap_or(postgres),
    };
    let started = Instant::now();
    let first = users_seed::seed(&seed).await;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "seeded users {first}..{} in {seconds:.1} s ({:.0} users/s overall)",
        first + seed.count,
        seed.count as f64 / seconds
    );
}
