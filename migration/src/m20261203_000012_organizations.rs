//! Organizations: their memberships, the instance's roles and permissions, and invitations.
//! Every instance gets the default roles `org:admin` (every system permission) and `org:member`
//! (`org:sys_memberships:read`); system permissions are not rows, only their keys in a role's
//! list. Instances created before this migration get their default roles here.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Instances {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    InstanceId,
    Name,
    Slug,
    ImageUrl,
    CreatedBy,
    PublicMetadata,
    PrivateMetadata,
    MaxAllowedMemberships,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrganizationRoles {
    Table,
    Id,
    InstanceId,
    Key,
    Name,
    Description,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrganizationRolePermissions {
    Table,
    RoleId,
    InstanceId,
    Permission,
}

#[derive(DeriveIden)]
enum OrganizationPermissions {
    Table,
    Id,
    InstanceId,
    Key,
    Name,
    Description,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OrganizationMemberships {
    Table,
    Id,
    InstanceId,
    OrganizationId,
    UserId,
    Role,
    PublicMetadata,
    PrivateMetadata,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrganizationInvitations {
    Table,
    Id,
    InstanceId,
    OrganizationId,
    EmailAddress,
    Normalized,
    Role,
    Status,
    InviterUserId,
    ExpiresAt,
    CreatedAt,
    UpdatedAt,
}

fn text(col: impl IntoIden, len: u32) -> ColumnDef {
    ColumnDef::new(col).string_len(len).not_null().to_owned()
}

fn json(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).text().not_null().to_owned()
}

fn time(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn of_instance(table: impl IntoIden, col: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Instances::Table, Instances::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn of_organization(table: impl IntoIden, col: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Organizations::Table, Organizations::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// The default roles of every instance, and their permissions.
const DEFAULT_ROLES: [(&str, &str, &str, &[&str]); 2] = [
    (
        "admin",
        "org:admin",
        "Admin",
        &[
            "org:sys_profile:manage",
            "org:sys_profile:delete",
            "org:sys_memberships:read",
            "org:sys_memberships:manage",
            "org:sys_domains:read",
            "org:sys_domains:manage",
        ],
    ),
    (
        "member",
        "org:member",
        "Member",
        &["org:sys_memberships:read"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use Organizations as O;
        manager
            .create_table(
                Table::create()
                    .table(O::Table)
                    .col(text(O::Id, 64).primary_key())
                    .col(text(O::InstanceId, 64))
                    .col(text(O::Name, 256))
                    .col(text(O::Slug, 64))
                    .col(ColumnDef::new(O::ImageUrl).string_len(2048).null())
                    .col(ColumnDef::new(O::CreatedBy).string_len(64).null())
                    .col(json(O::PublicMetadata))
                    .col(json(O::PrivateMetadata))
                    .col(
                        ColumnDef::new(O::MaxAllowedMemberships)
                            .integer()
                            .not_null(),
                    )
                    .col(time(O::CreatedAt))
                    .col(time(O::UpdatedAt))
                    .foreign_key(&mut of_instance(O::Table, O::InstanceId))
                    .to_owned(),
            )
            .await?;
        use OrganizationRoles as R;
        manager
            .create_table(
                Table::create()
                    .table(R::Table)
                    .col(text(R::Id, 64).primary_key())
                    .col(text(R::InstanceId, 64))
                    .col(text(R::Key, 64))
                    .col(text(R::Name, 128))
                    .col(text(R::Description, 512))
                    .col(time(R::CreatedAt))
                    .col(time(R::UpdatedAt))
                    .foreign_key(&mut of_instance(R::Table, R::InstanceId))
                    .to_owned(),
            )
            .await?;
        use OrganizationRolePermissions as RP;
        manager
            .create_table(
                Table::create()
                    .table(RP::Table)
                    .col(text(RP::RoleId, 64))
                    .col(text(RP::InstanceId, 64))
                    .col(text(RP::Permission, 128))
                    .primary_key(Index::create().col(RP::RoleId).col(RP::Permission))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RP::Table, RP::RoleId)
                            .to(R::Table, R::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        use OrganizationPermissions as P;
        manager
            .create_table(
                Table::create()
                    .table(P::Table)
                    .col(text(P::Id, 64).primary_key())
                    .col(text(P::InstanceId, 64))
                    .col(text(P::Key, 128))
                    .col(text(P::Name, 128))
                    .col(text(P::Description, 512))
                    .col(time(P::CreatedAt))
                    .foreign_key(&mut of_instance(P::Table, P::InstanceId))
                    .to_owned(),
            )
            .await?;
        use OrganizationMemberships as M;
        manager
            .create_table(
                Table::create()
                    .table(M::Table)
                    .col(text(M::Id, 64).primary_key())
                    .col(text(M::InstanceId, 64))
                    .col(text(M::OrganizationId, 64))
                    .col(text(M::UserId, 64))
                    .col(text(M::Role, 64))
                    .col(json(M::PublicMetadata))
                    .col(json(M::PrivateMetadata))
                    .col(time(M::CreatedAt))
                    .col(time(M::UpdatedAt))
                    .foreign_key(&mut of_instance(M::Table, M::InstanceId))
                    .foreign_key(&mut of_organization(M::Table, M::OrganizationId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(M::Table, M::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        use OrganizationInvitations as I;
        manager
            .create_table(
                Table::create()
                    .table(I::Table)
                    .col(text(I::Id, 64).primary_key())
                    .col(text(I::InstanceId, 64))
                    .col(text(I::OrganizationId, 64))
                    .col(text(I::EmailAddress, 320))
                    .col(text(I::Normalized, 320))
                    .col(text(I::Role, 64))
                    .col(text(I::Status, 16))
                    .col(ColumnDef::new(I::InviterUserId).string_len(64).null())
                    .col(time(I::ExpiresAt))
                    .col(time(I::CreatedAt))
                    .col(time(I::UpdatedAt))
                    .foreign_key(&mut of_instance(I::Table, I::InstanceId))
                    .foreign_key(&mut of_organization(I::Table, I::OrganizationId))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for statement in [
            "CREATE UNIQUE INDEX ux_organizations_slug ON organizations (instance_id, slug)",
            "CREATE INDEX idx_organizations_created ON organizations (instance_id, created_at, id)",
            "CREATE INDEX idx_organizations_name ON organizations (instance_id, name, id)",
            "CREATE UNIQUE INDEX ux_organization_roles_key ON organization_roles (instance_id, key)",
            "CREATE UNIQUE INDEX ux_organization_permissions_key ON organization_permissions (instance_id, key)",
            "CREATE INDEX idx_organization_role_permissions_permission ON organization_role_permissions (instance_id, permission)",
            "CREATE UNIQUE INDEX ux_organization_memberships ON organization_memberships (organization_id, user_id)",
            "CREATE INDEX idx_organization_memberships_user ON organization_memberships (instance_id, user_id)",
            "CREATE INDEX idx_organization_memberships_role ON organization_memberships (instance_id, role)",
            "CREATE INDEX idx_organization_memberships_org ON organization_memberships (organization_id, created_at, id)",
            "CREATE INDEX idx_organization_invitations_org ON organization_invitations (organization_id, status, created_at)",
            "CREATE INDEX idx_organization_invitations_email ON organization_invitations (instance_id, normalized, status)",
            "CREATE INDEX idx_sessions_active_organization ON sessions (instance_id, last_active_organization_id)",
        ] {
            db.execute_unprepared(statement).await?;
        }
        // The default roles of the instances that exist already (new ones get theirs when
        // they are created). Ids are derived from the instance's, so they stay unique.
        for (short, key, name, permissions) in DEFAULT_ROLES {
            db.execute_unprepared(&format!(
                "INSERT INTO organization_roles (id, instance_id, key, name, description, created_at, updated_at) \
                 SELECT 'role_{short}_' || id, id, '{key}', '{name}', '', created_at, created_at FROM instances"
            ))
            .await?;
            for permission in permissions {
                db.execute_unprepared(&format!(
                    "INSERT INTO organization_role_permissions (role_id, instance_id, permission) \
                     SELECT 'role_{short}_' || id, id, '{permission}' FROM instances"
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX idx_sessions_active_organization")
            .await?;
        for table in [
            OrganizationInvitations::Table.into_iden(),
            OrganizationMemberships::Table.into_iden(),
            OrganizationPermissions::Table.into_iden(),
            OrganizationRolePermissions::Table.into_iden(),
            OrganizationRoles::Table.into_iden(),
            Organizations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
