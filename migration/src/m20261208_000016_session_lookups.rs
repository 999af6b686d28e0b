//! A client's and a user's sessions are looked up within their instance: the indexes cover
//! both columns every such query names. With `client_id` or `user_id` alone, SQLite's planner
//! (which has no statistics unless `ANALYZE` ran) preferred the index on `(instance_id,
//! last_active_organization_id)` and read every session of the instance to load one client. They
//! still lead with `client_id` and `user_id`, which deleting a client or a user (the cascades of
//! their foreign keys) needs.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // New names: an index name is not reused within one migration (a pooled SQLite
        // connection may still see the old one).
        for statement in [
            "CREATE INDEX IF NOT EXISTS idx_sessions_client_instance ON sessions (client_id, instance_id)",
            "CREATE INDEX IF NOT EXISTS idx_sessions_user_instance ON sessions (user_id, instance_id)",
            "DROP INDEX IF EXISTS idx_sessions_client",
            "DROP INDEX IF EXISTS idx_sessions_user",
        ] {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for statement in [
            "CREATE INDEX IF NOT EXISTS idx_sessions_client ON sessions (client_id)",
            "CREATE INDEX IF NOT EXISTS idx_sessions_user ON sessions (user_id)",
            "DROP INDEX IF EXISTS idx_sessions_client_instance",
            "DROP INDEX IF EXISTS idx_sessions_user_instance",
        ] {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }
}
