//! Organization changes racing each other, interleaved deterministically: one operation is
//! held at a pause point of the server (`latchkey_domain::test_hooks`) while another runs to
//! its end, then let go. Role permission sets change under one lock, reading what they change
//! after taking it; a member's standing is checked under the organization's lock.

use latchkey_domain::test_hooks::{Point, arm};
use latchkey_tests::{Response, TestServer};
use serde_json::{Value, json};

use super::org_tokens::claims_of;
use super::organizations::{Member, add_member, create_org, create_role, server};

const ROLES: &str = "{ roles { key permissions } }";
const SET_ACTIVE: &str =
    "mutation($s: ID!, $o: ID) { setActiveSession(sessionId: $s, organizationId: $o) { id } }";

/// Runs `held` until it reaches `point`, then `meanwhile` to its end, then lets `held` finish;
/// gives both answers.
async fn interleaved<T>(
    server: &TestServer,
    point: Point,
    held: impl Future<Output = Response>,
    meanwhile: impl Future<Output = T>,
) -> (Response, T) {
    let mut pause = arm(point, &server.instance_id);
    let other = async {
        pause.reached().await;
        let done = meanwhile.await;
        pause.release();
        done
    };
    tokio::join!(held, other)
}

async fn permissions_of(server: &TestServer, role: &str) -> Option<Value> {
    let roles = server.backend(ROLES, json!({})).await;
    roles.data()["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == role)
        .map(|r| r["permissions"].clone())
}

async fn create_permission(server: &TestServer, key: &str) -> String {
    let created = server
        .backend(
            "mutation($k: String!) { createPermission(key: $k, name: \"Read\") { id } }",
            json!({"k": key}),
        )
        .await;
    created.data()["createPermission"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn delete_permission(server: &TestServer, id: &str) {
    server
        .backend(
            "mutation($id: ID!) { deletePermission(id: $id) { id } }",
            json!({"id": id}),
        )
        .await
        .data();
}

#[tokio::test]
async fn a_permission_deleted_while_a_role_changes_stays_deleted() {
    let server = server().await;
    let mut user = Member::sign_up(&server, "jane+latchkey_test@example.com").await;
    let org = create_org(&server, "Acme", None).await;
    let read = create_permission(&server, "org:invoices:read").await;
    create_role(&server, "org:billing", &["org:invoices:read"]).await;
    add_member(&server, &org, &user.id, "org:billing").await;
    user.frontend
        .gql(SET_ACTIVE, json!({"s": user.session, "o": org}))
        .await
        .data();
    assert_eq!(
        claims_of(&user.refresh().await)["o"]["per"],
        "invoices:read"
    );

    // The role is renamed; the permission is deleted after the rename read the role and
    // before it wrote: the role keeps none, and neither does the next token.
    let (renamed, ()) = interleaved(
        &server,
        Point::RolePermissions,
        server.backend(
            "mutation { updateRole(key: \"org:billing\", name: \"Billing team\") { key } }",
            json!({}),
        ),
        delete_permission(&server, &read),
    )
    .await;
    renamed.data();
    assert_eq!(
        permissions_of(&server, "org:billing").await,
        Some(json!([])),
        "the deleted permission did not come back"
    );
    assert_eq!(claims_of(&user.refresh().await)["o"]["per"], "");

    // A role created with a permission deleted meanwhile is refused.
    let write = create_permission(&server, "org:invoices:write").await;
    let (created, ()) = interleaved(
        &server,
        Point::RolePermissions,
        server.backend(
            "mutation { createRole(key: \"org:writer\", name: \"Writer\", permissions: [\"org:invoices:write\"]) { key } }",
            json!({}),
        ),
        delete_permission(&server, &write),
    )
    .await;
    assert_eq!(created.code(), "VALIDATION_FAILED", "{}", created.body);
    assert_eq!(created.extensions()["field"], "permissions");
    assert_eq!(permissions_of(&server, "org:writer").await, None);

    // A role deleted while it is updated stays deleted, and nothing of it is left behind.
    create_role(&server, "org:temp", &["org:sys_memberships:read"]).await;
    let (updated, deleted) = interleaved(
        &server,
        Point::RolePermissions,
        server.backend(
            "mutation { updateRole(key: \"org:temp\", permissions: [\"org:sys_memberships:read\", \"org:sys_profile:manage\"]) { key } }",
            json!({}),
        ),
        server.backend("mutation { deleteRole(key: \"org:temp\") { key } }", json!({})),
    )
    .await;
    deleted.data();
    assert_eq!(updated.code(), "NOT_FOUND", "{}", updated.body);
    assert_eq!(permissions_of(&server, "org:temp").await, None);
    let orphans = server
        .db
        .scalar(
            "SELECT COUNT(*) FROM organization_role_permissions \
             WHERE role_id NOT IN (SELECT id FROM organization_roles)",
        )
        .await;
    assert_eq!(orphans.as_deref(), Some("0"));
}

#[tokio::test]
async fn a_manager_demoted_meanwhile_changes_nothing() {
    let server = server().await;
    let admin = Member::sign_up(&server, "admin+latchkey_test@example.com").await;
    let manager = Member::sign_up(&server, "manager+latchkey_test@example.com").await;
    let member = Member::sign_up(&server, "member+latchkey_test@example.com").await;
    let newcomer = Member::sign_up(&server, "newcomer+latchkey_test@example.com").await;
    let org = create_org(&server, "Acme", Some(&admin.id)).await;
    const SET_ROLE: &str = "mutation($o: ID!, $u: ID!, $r: String!) { updateOrganizationMembership(organizationId: $o, userId: $u, role: $r) { role } }";
    for user in [&manager.id, &member.id] {
        add_member(&server, &org, user, "org:member").await;
    }
    let invited = server
        .backend(
            "mutation($o: ID!) { createOrganizationInvitation(organizationId: $o, emailAddress: \"invited@example.com\") { id } }",
            json!({"o": org}),
        )
        .await;
    let invitation = invited.data()["createOrganizationInvitation"]["id"].clone();
    let changes = [
        (
            "mutation($o: ID!, $u: ID!) { createOrganizationMembership(organizationId: $o, userId: $u, role: \"org:member\") { id } }",
            json!({"o": org, "u": newcomer.id}),
        ),
        (
            "mutation($o: ID!, $u: ID!) { updateOrganizationMembership(organizationId: $o, userId: $u, role: \"org:admin\") { id } }",
            json!({"o": org, "u": member.id}),
        ),
        (
            "mutation($o: ID!, $u: ID!) { deleteOrganizationMembership(organizationId: $o, userId: $u) { id } }",
            json!({"o": org, "u": member.id}),
        ),
        (
            "mutation($o: ID!) { createOrganizationInvitation(organizationId: $o, emailAddress: \"another@example.com\") { id } }",
            json!({"o": org}),
        ),
        (
            "mutation($o: ID!, $i: ID!) { revokeOrganizationInvitation(organizationId: $o, invitationId: $i) { id } }",
            json!({"o": org, "i": invitation}),
        ),
        (
            "mutation($o: ID!) { updateOrganization(id: $o, input: {name: \"Taken over\"}) { id } }",
            json!({"o": org}),
        ),
        (
            "mutation($o: ID!) { deleteOrganization(id: $o) { id } }",
            json!({"o": org}),
        ),
    ];
    // Everything the changes could touch, but the manager's own role.
    let state = format!(
        "SELECT (SELECT COUNT(*) FROM organization_memberships) || ' ' || \
         (SELECT COUNT(*) FROM organization_memberships \
           WHERE role = 'org:admin' AND user_id <> '{}') || ' ' || \
         (SELECT COUNT(*) FROM organization_invitations WHERE status = 'pending') || ' ' || \
         (SELECT COUNT(*) FROM organizations WHERE name = 'Acme')",
        manager.id
    );
    for (query, variables) in changes {
        // The manager is one when the change starts; the admin demotes it between the first
        // look at its standing and the change's transaction.
        server
            .backend(
                SET_ROLE,
                json!({"o": org, "u": manager.id, "r": "org:admin"}),
            )
            .await
            .data();
        let before = server.db.scalar(&state).await;
        let (answer, demoted) = interleaved(
            &server,
            Point::OrganizationChange,
            manager.gql(&server, query, variables),
            server.backend(
                SET_ROLE,
                json!({"o": org, "u": manager.id, "r": "org:member"}),
            ),
        )
        .await;
        demoted.data();
        assert_eq!(answer.code(), "FORBIDDEN", "{query}: {}", answer.body);
        assert_eq!(
            server.db.scalar(&state).await,
            before,
            "{query} changed nothing"
        );
    }
}
