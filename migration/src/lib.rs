//! Latchkey's schema migrations. One file per migration, applied in order by `Migrator`;
//! the same migrations run on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_tenancy;
mod m20261125_000002_rate_limits;
mod m20261125_000003_sign_up;
mod m20261125_000004_sign_in;
mod m20261125_000005_signing_keys;
mod m20261125_000006_jwt_templates;
mod m20261125_000007_api_keys;
mod m20261125_000008_second_factors;
mod m20261125_000009_events;
mod m20261203_000010_user_search;
mod m20261203_000011_email_verification;
mod m20261203_000012_organizations;
mod m20261203_000013_user_counts;
mod m20261207_000014_attempt_budgets;
mod m20261208_000015_session_factors;
mod m20261208_000016_session_lookups;
mod m20261208_000017_handoffs;
mod m20261208_000018_user_images;
mod m20261208_000019_session_activity;

/// Every migration of Latchkey, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_tenancy::Migration),
            Box::new(m20261125_000002_rate_limits::Migration),
            Box::new(m20261125_000003_sign_up::Migration),
            Box::new(m20261125_000004_sign_in::Migration),
            Box::new(m20261125_000005_signing_keys::Migration),
            Box::new(m20261125_000006_jwt_templates::Migration),
            Box::new(m20261125_000007_api_keys::Migration),
            Box::new(m20261125_000008_second_factors::Migration),
            Box::new(m20261125_000009_events::Migration),
            Box::new(m20261203_000010_user_search::Migration),
            Box::new(m20261203_000011_email_verification::Migration),
            Box::new(m20261203_000012_organizations::Migration),
            Box::new(m20261203_000013_user_counts::Migration),
            Box::new(m20261207_000014_attempt_budgets::Migration),
            Box::new(m20261208_000015_session_factors::Migration),
            Box::new(m20261208_000016_session_lookups::Migration),
            Box::new(m20261208_000017_handoffs::Migration),
            Box::new(m20261208_000018_user_images::Migration),
            Box::new(m20261208_000019_session_activity::Migration),
        ]
    }
}
