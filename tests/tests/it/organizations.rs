//! Organizations: the backend's CRUD and bad input; roles and permissions deciding what members
//! may do; the `o` claim following the active organization; ids of another instance.

use latchkey_tests::server::lift_ip_limits;
use latchkey_tests::{Auth, Frontend, Response, TestServer};
use serde_json::{Value, json};

pub const PASSWORD: &str = "a sturdy passphrase";
const CREATE_ORG: &str = "mutation($n: String!, $s: String, $c: ID, $m: Int, $p: JSON) { createOrganization(name: $n, slug: $s, createdBy: $c, maxAllowedMemberships: $m, publicMetadata: $p) { id name slug createdBy maxAllowedMemberships publicMetadata } }";
const ADD: &str = "mutation($o: ID!, $u: ID!, $r: String) { createOrganizationMembership(organizationId: $o, userId: $u, role: $r) { id role permissions userId organization { id slug } } }";
const UPDATE_MEMBER: &str = "mutation($o: ID!, $u: ID!, $r: String!) { updateOrganizationMembership(organizationId: $o, userId: $u, role: $r) { role } }";
const REMOVE: &str = "mutation($o: ID!, $u: ID!) { deleteOrganizationMembership(organizationId: $o, userId: $u) { id } }";
const MEMBERS: &str = "query($o: ID!) { organizationMemberships(organizationId: $o, limit: 100) { totalCount data { role userId publicUserData { identifier } } } }";

/// A signed-up user: its frontend, session, session token and id.
pub struct Member {
    pub frontend: Frontend,
    pub session: String,
    pub jwt: String,
    pub id: String,
}

impl Member {
    pub async fn sign_up(server: &TestServer, email: &str) -> Self {
        let (mut frontend, session) =
            Frontend::signed_up(&server.url, &server.publishable_key, email, PASSWORD).await;
        let jwt = frontend.session_jwt(&session).await;
        let me = server
            .gql(Auth::Bearer(&jwt), "{ me { id } }", json!({}))
            .await;
        let id = me.data()["me"]["id"].as_str().unwrap().to_owned();
        Self {
            frontend,
            session,
            jwt,
            id,
        }
    }

    pub async fn gql(&self, server: &TestServer, query: &str, variables: Value) -> Response {
        server.gql(Auth::Bearer(&self.jwt), query, variables).await
    }

    /// A fresh session token (after the active organization changed).
    pub async fn refresh(&mut self) -> String {
        self.jwt = self.frontend.session_jwt(&self.session).await;
        self.jwt.clone()
    }
}

pub async fn server() -> TestServer {
    TestServer::spawn_with(lift_ip_limits).await
}

pub async fn create_org(server: &TestServer, name: &str, created_by: Option<&str>) -> String {
    let created = server
        .backend(CREATE_ORG, json!({"n": name, "c": created_by}))
        .await;
    created.data()["createOrganization"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Creates a role of the instance with `permissions`.
pub async fn create_role(server: &TestServer, key: &str, permissions: &[&str]) {
    server
        .backend(
            "mutation($k: String!, $p: [String!]) { createRole(key: $k, name: \"A role\", permissions: $p) { key } }",
            json!({"k": key, "p": permissions}),
        )
        .await
        .data();
}

/// Makes `user_id` a member of `organization_id` with `role`.
pub async fn add_member(server: &TestServer, organization_id: &str, user_id: &str, role: &str) {
    server
        .backend(ADD, json!({"o": organization_id, "u": user_id, "r": role}))
        .await
        .data();
}

#[tokio::test]
async fn the_backend_creates_finds_lists_changes_and_deletes_organizations() {
    let server = server().await;
    let owner = Member::sign_up(&server, "owner+latchkey_test@example.com").await;
    let created = server
        .backend(
            CREATE_ORG,
            json!({"n": "  Acme, Inc. ", "c": owner.id, "p": {"plan": "pro"}}),
        )
        .await;
    let acme = created.data()["createOrganization"].clone();
    assert_eq!(acme["name"], "Acme, Inc.");
    assert_eq!(acme["slug"], "acme-inc", "the slug comes from the name");
    assert_eq!(acme["createdBy"], owner.id.as_str());
    assert_eq!(acme["maxAllowedMemberships"], 5, "the default limit");
    let acme_id = acme["id"].as_str().unwrap().to_owned();

    // Bad input, and nothing written by it.
    for (variables, code, field) in [
        (
            json!({"n": "Other", "s": "acme-inc"}),
            "IDENTIFIER_EXISTS",
            "slug",
        ),
        (
            json!({"n": "Other", "s": "Acme_Inc"}),
            "VALIDATION_FAILED",
            "slug",
        ),
        (json!({"n": "   "}), "VALIDATION_FAILED", "name"),
        (json!({"n": "!!!"}), "VALIDATION_FAILED", "slug"),
        (
            json!({"n": "Big", "p": {"blob": "x".repeat(9000)}}),
            "VALIDATION_FAILED",
            "publicMetadata",
        ),
        (
            json!({"n": "Far", "m": 100_001}),
            "VALIDATION_FAILED",
            "maxAllowedMemberships",
        ),
    ] {
        let refused = server.backend(CREATE_ORG, variables.clone()).await;
        assert_eq!(refused.code(), code, "{variables}");
        assert_eq!(refused.extensions()["field"], field, "{variables}");
    }
    let unknown_creator = server
        .backend(CREATE_ORG, json!({"n": "Ghost", "c": "user_nobody"}))
        .await;
    assert_eq!(unknown_creator.code(), "NOT_FOUND");

    for (name, slug) in [
        ("Blue Team", "blue"),
        ("Red Team", "red"),
        ("Green", "green"),
    ] {
        server
            .backend(CREATE_ORG, json!({"n": name, "s": slug}))
            .await
            .data();
    }
    let by_slug = server
        .backend(
            "{ organization(slug: \"acme-inc\") { id membersCount privateMetadata publicMetadata } }",
            json!({}),
        )
        .await;
    assert_eq!(by_slug.data()["organization"]["id"], acme_id.as_str());
    assert_eq!(by_slug.data()["organization"]["membersCount"], 1);
    assert_eq!(
        by_slug.data()["organization"]["publicMetadata"],
        json!({"plan": "pro"})
    );
    let list = |q: Value| {
        let server = &server;
        async move {
            server
                .backend(
                    "query($q: String, $u: ID, $o: OrganizationOrderBy, $l: Int) { organizations(query: $q, userId: $u, orderBy: $o, limit: $l) { totalCount data { slug } } }",
                    q,
                )
                .await
        }
    };
    let slugs = |r: &Response| -> Vec<String> {
        r.data()["organizations"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["slug"].as_str().unwrap().to_owned())
            .collect()
    };
    let teams = list(json!({"q": "TEAM", "o": "NAME_ASC"})).await;
    assert_eq!(slugs(&teams), ["blue", "red"]);
    assert_eq!(teams.data()["organizations"]["totalCount"], 2);
    let by_name_desc = list(json!({"o": "NAME_DESC", "l": 2})).await;
    assert_eq!(slugs(&by_name_desc), ["red", "green"]);
    assert_eq!(by_name_desc.data()["organizations"]["totalCount"], 4);
    assert_eq!(slugs(&list(json!({"u": owner.id})).await), ["acme-inc"]);
    assert_eq!(slugs(&list(json!({"q": acme_id})).await), ["acme-inc"]);
    for limit in [0, 501, 10_000] {
        assert_eq!(
            list(json!({"l": limit})).await.code(),
            "VALIDATION_FAILED",
            "limit {limit}"
        );
    }
    let too_long = list(json!({"q": "x".repeat(257)})).await;
    assert_eq!(too_long.code(), "VALIDATION_FAILED");
    assert_eq!(too_long.extensions()["field"], "query");
    let negative = server
        .backend("{ organizations(offset: -1) { data { id } } }", json!({}))
        .await;
    assert_eq!(negative.code(), "VALIDATION_FAILED");
    assert_eq!(negative.extensions()["field"], "offset");
    let members_of = server
        .backend(
            "query($o: [ID!]) { users(filter: {organizationId: $o}) { totalCount data { id organizationMemberships { role organization { slug } } } } }",
            json!({"o": [acme_id]}),
        )
        .await;
    let page = &members_of.data()["users"];
    assert_eq!(page["totalCount"], 1);
    assert_eq!(page["data"][0]["id"], owner.id.as_str());
    assert_eq!(
        page["data"][0]["organizationMemberships"],
        json!([{"role": "org:admin", "organization": {"slug": "acme-inc"}}])
    );

    // Changes: fields, a taken slug refused, metadata merged.
    let updated = server
        .backend(
            "mutation($id: ID!, $i: UpdateOrganizationInput!) { updateOrganization(id: $id, input: $i) { name slug maxAllowedMemberships } }",
            json!({"id": acme_id, "i": {"name": "Acme", "slug": "acme", "maxAllowedMemberships": 10}}),
        )
        .await;
    assert_eq!(
        updated.data()["updateOrganization"],
        json!({"name": "Acme", "slug": "acme", "maxAllowedMemberships": 10})
    );
    let taken = server
        .backend(
            "mutation($id: ID!) { updateOrganization(id: $id, input: {slug: \"blue\"}) { slug } }",
            json!({"id": acme_id}),
        )
        .await;
    assert_eq!(taken.code(), "IDENTIFIER_EXISTS");
    const MERGE: &str = "mutation($id: ID!, $p: JSON, $q: JSON) { updateOrganizationMetadata(id: $id, publicMetadata: $p, privateMetadata: $q) { publicMetadata privateMetadata } }";
    let merged = server
        .backend(
            MERGE,
            json!({"id": acme_id, "p": {"plan": null, "seats": 3}, "q": {"crm": "42"}}),
        )
        .await;
    assert_eq!(
        merged.data()["updateOrganizationMetadata"],
        json!({"publicMetadata": {"seats": 3}, "privateMetadata": {"crm": "42"}})
    );
    let oversized = server
        .backend(
            MERGE,
            json!({"id": acme_id, "p": {"blob": "x".repeat(9000)}}),
        )
        .await;
    assert_eq!(oversized.code(), "VALIDATION_FAILED");

    // Deleted: gone, with its memberships.
    server
        .backend(
            "mutation($id: ID!) { deleteOrganization(id: $id) { deleted } }",
            json!({"id": acme_id}),
        )
        .await
        .data();
    let gone = server
        .backend(
            "query($id: ID!) { organization(id: $id) { id } }",
            json!({"id": acme_id}),
        )
        .await;
    assert_eq!(gone.code(), "NOT_FOUND");
    let mine = owner
        .gql(&server, "{ myOrganizationMemberships { id } }", json!({}))
        .await;
    assert_eq!(mine.data()["myOrganizationMemberships"], json!([]));
}

#[tokio::test]
async fn roles_and_permissions_decide_what_members_may_do() {
    let server = server().await;
    let admin = Member::sign_up(&server, "admin+latchkey_test@example.com").await;
    let member = Member::sign_up(&server, "member+latchkey_test@example.com").await;
    let outsider = Member::sign_up(&server, "outsider+latchkey_test@example.com").await;

    // A signed-in user creates an organization and becomes its admin.
    let created = admin
        .gql(
            &server,
            "mutation { createOrganization(name: \"Team\", slug: \"team\") { id createdBy } }",
            json!({}),
        )
        .await;
    let org = created.data()["createOrganization"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let not_allowed = admin
        .gql(
            &server,
            "mutation { createOrganization(name: \"Rich\", publicMetadata: {plan: \"pro\"}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(not_allowed.code(), "FORBIDDEN", "metadata is the backend's");

    // The admin adds a member; the member reads the members but manages nothing.
    let added = admin
        .gql(&server, ADD, json!({"o": org, "u": member.id}))
        .await;
    assert_eq!(
        added.data()["createOrganizationMembership"]["role"],
        "org:member"
    );
    assert_eq!(
        added.data()["createOrganizationMembership"]["permissions"],
        json!(["org:sys_memberships:read"])
    );
    let listed = member.gql(&server, MEMBERS, json!({"o": org})).await;
    assert_eq!(listed.data()["organizationMemberships"]["totalCount"], 2);
    assert_eq!(
        listed.data()["organizationMemberships"]["data"][0]["publicUserData"]["identifier"],
        "admin+latchkey_test@example.com"
    );
    for (query, variables) in [
        (ADD, json!({"o": org, "u": outsider.id})),
        (
            UPDATE_MEMBER,
            json!({"o": org, "u": admin.id, "r": "org:member"}),
        ),
        (REMOVE, json!({"o": org, "u": admin.id})),
        (
            "mutation($o: ID!) { createOrganizationInvitation(organizationId: $o, emailAddress: \"x@example.com\") { id } }",
            json!({"o": org}),
        ),
        (
            "mutation($o: ID!) { updateOrganization(id: $o, input: {name: \"Mine\"}) { id } }",
            json!({"o": org}),
        ),
        (
            "mutation($o: ID!) { deleteOrganization(id: $o) { id } }",
            json!({"o": org}),
        ),
    ] {
        assert_eq!(
            member.gql(&server, query, variables.clone()).await.code(),
            "FORBIDDEN",
            "{query}"
        );
        // Someone outside the organization learns nothing of it.
        assert_eq!(
            outsider.gql(&server, query, variables).await.code(),
            "NOT_FOUND",
            "{query}"
        );
    }
    assert_eq!(
        outsider
            .gql(
                &server,
                "query($o: ID!) { organization(id: $o) { id } }",
                json!({"o": org})
            )
            .await
            .code(),
        "NOT_FOUND"
    );
    assert_eq!(
        outsider
            .gql(&server, MEMBERS, json!({"o": org}))
            .await
            .code(),
        "NOT_FOUND"
    );

    // A custom role with a custom permission; the backend's catalogue.
    server
        .backend(
            "mutation { createPermission(key: \"org:invoices:read\", name: \"Read invoices\") { key system } }",
            json!({}),
        )
        .await
        .data();
    for (key, code) in [
        ("org:sys_invoices:read", "VALIDATION_FAILED"),
        ("org:invoices", "VALIDATION_FAILED"),
        ("org:invoices:read", "IDENTIFIER_EXISTS"),
    ] {
        let refused = server
            .backend(
                "mutation($k: String!) { createPermission(key: $k, name: \"X\") { key } }",
                json!({"k": key}),
            )
            .await;
        assert_eq!(refused.code(), code, "{key}");
    }
    const CREATE_ROLE: &str = "mutation($k: String!, $p: [String!]) { createRole(key: $k, name: \"Role\", permissions: $p) { key permissions } }";
    let manager = server
        .backend(
            CREATE_ROLE,
            json!({"k": "org:manager", "p": ["org:sys_memberships:manage", "org:sys_memberships:read", "org:invoices:read"]}),
        )
        .await;
    assert_eq!(
        manager.data()["createRole"]["permissions"],
        json!([
            "org:invoices:read",
            "org:sys_memberships:manage",
            "org:sys_memberships:read"
        ])
    );
    let bad_permission = server
        .backend(
            CREATE_ROLE,
            json!({"k": "org:x", "p": ["org:nothing:here"]}),
        )
        .await;
    assert_eq!(bad_permission.code(), "VALIDATION_FAILED");
    assert_eq!(
        server
            .backend(CREATE_ROLE, json!({"k": "manager", "p": []}))
            .await
            .code(),
        "VALIDATION_FAILED"
    );
    let unknown_role = admin
        .gql(
            &server,
            UPDATE_MEMBER,
            json!({"o": org, "u": member.id, "r": "org:ghost"}),
        )
        .await;
    assert_eq!(unknown_role.code(), "VALIDATION_FAILED");
    assert_eq!(unknown_role.extensions()["field"], "role");

    // The last member who can manage memberships stays.
    let demote_self = admin
        .gql(
            &server,
            UPDATE_MEMBER,
            json!({"o": org, "u": admin.id, "r": "org:member"}),
        )
        .await;
    assert_eq!(demote_self.code(), "VALIDATION_FAILED");
    let leave = admin
        .gql(&server, REMOVE, json!({"o": org, "u": admin.id}))
        .await;
    assert_eq!(leave.code(), "VALIDATION_FAILED");
    let strip_admin = server
        .backend(
            "mutation { updateRole(key: \"org:admin\", permissions: [\"org:sys_memberships:read\"]) { key } }",
            json!({}),
        )
        .await;
    assert_eq!(strip_admin.code(), "VALIDATION_FAILED");

    // Promoted, the member manages: it invites and changes roles.
    admin
        .gql(
            &server,
            UPDATE_MEMBER,
            json!({"o": org, "u": member.id, "r": "org:manager"}),
        )
        .await
        .data();
    member
        .gql(&server, ADD, json!({"o": org, "u": outsider.id}))
        .await
        .data();
    let manager_without_manage = server
        .backend(
            "mutation { updateRole(key: \"org:manager\", permissions: [\"org:invoices:read\"]) { key } }",
            json!({}),
        )
        .await;
    assert!(
        manager_without_manage.body.get("errors").is_none(),
        "the admin still manages: {}",
        manager_without_manage.body
    );
    // Now the admin is the only manager again: it can leave only after handing over.
    assert_eq!(
        admin
            .gql(&server, REMOVE, json!({"o": org, "u": admin.id}))
            .await
            .code(),
        "VALIDATION_FAILED"
    );
    // The member leaves by itself (no permission needed).
    member
        .gql(&server, REMOVE, json!({"o": org, "u": member.id}))
        .await
        .data();

    // Roles in use and default roles are not deleted.
    let in_use = server
        .backend(
            "mutation { deleteRole(key: \"org:member\") { key } }",
            json!({}),
        )
        .await;
    assert_eq!(in_use.code(), "VALIDATION_FAILED");
    server
        .backend(
            CREATE_ROLE,
            json!({"k": "org:auditor", "p": ["org:sys_memberships:read"]}),
        )
        .await
        .data();
    admin
        .gql(
            &server,
            UPDATE_MEMBER,
            json!({"o": org, "u": outsider.id, "r": "org:auditor"}),
        )
        .await
        .data();
    let busy = server
        .backend(
            "mutation { deleteRole(key: \"org:auditor\") { key } }",
            json!({}),
        )
        .await;
    assert_eq!(busy.code(), "VALIDATION_FAILED");
    admin
        .gql(&server, REMOVE, json!({"o": org, "u": outsider.id}))
        .await
        .data();
    server
        .backend(
            "mutation { deleteRole(key: \"org:auditor\") { key } }",
            json!({}),
        )
        .await
        .data();
    let roles = admin.gql(&server, "{ roles { key } }", json!({})).await;
    let keys: Vec<&str> = roles.data()["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["org:admin", "org:member", "org:manager"]);
}

#[tokio::test]
async fn the_membership_limit_counts_pending_invitations() {
    let server = server().await;
    let owner = Member::sign_up(&server, "owner+latchkey_test@example.com").await;
    let other = Member::sign_up(&server, "other+latchkey_test@example.com").await;
    let org = server
        .backend(CREATE_ORG, json!({"n": "Small", "c": owner.id, "m": 2}))
        .await;
    let org = org.data()["createOrganization"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    server
        .backend(
            "mutation($o: ID!) { createOrganizationInvitation(organizationId: $o, emailAddress: \"a@example.com\") { id } }",
            json!({"o": org}),
        )
        .await
        .data();
    let full = server.backend(ADD, json!({"o": org, "u": other.id})).await;
    assert_eq!(full.code(), "VALIDATION_FAILED");
    assert_eq!(full.extensions()["field"], "maxAllowedMemberships");
}

#[tokio::test]
async fn ids_of_another_instance_are_not_found() {
    let server = server().await;
    let owner = Member::sign_up(&server, "owner+latchkey_test@example.com").await;
    let org = create_org(&server, "Home", Some(&owner.id)).await;
    let (other_pk, other_sk) = server.create_instance_with_key("Other").await;
    let stranger = {
        let (mut frontend, session) = Frontend::signed_up(
            &server.url,
            &other_pk,
            "stranger+latchkey_test@example.com",
            PASSWORD,
        )
        .await;
        frontend.session_jwt(&session).await
    };
    let queries = [
        (
            "query($o: ID!) { organization(id: $o) { id } }",
            json!({"o": org}),
        ),
        (MEMBERS, json!({"o": org})),
        (
            "query($o: ID!) { organizationInvitations(organizationId: $o) { id } }",
            json!({"o": org}),
        ),
        (
            "mutation($o: ID!) { updateOrganization(id: $o, input: {name: \"X\"}) { id } }",
            json!({"o": org}),
        ),
        (
            "mutation($o: ID!) { updateOrganizationMetadata(id: $o, publicMetadata: {a: 1}) { id } }",
            json!({"o": org}),
        ),
        (
            "mutation($o: ID!) { deleteOrganization(id: $o) { id } }",
            json!({"o": org}),
        ),
        (ADD, json!({"o": org, "u": owner.id})),
        (
            UPDATE_MEMBER,
            json!({"o": org, "u": owner.id, "r": "org:member"}),
        ),
        (REMOVE, json!({"o": org, "u": owner.id})),
        (
            "mutation($o: ID!) { createOrganizationInvitation(organizationId: $o, emailAddress: \"x@example.com\") { id } }",
            json!({"o": org}),
        ),
    ];
    for (query, variables) in queries {
        let with_key = server
            .gql(Auth::Bearer(&other_sk), query, variables.clone())
            .await;
        assert_eq!(with_key.code(), "NOT_FOUND", "secret key: {query}");
        let with_session = server.gql(Auth::Bearer(&stranger), query, variables).await;
        // Metadata is the backend's alone: a session token is refused before any lookup.
        let expected = if query.contains("updateOrganizationMetadata") {
            "FORBIDDEN"
        } else {
            "NOT_FOUND"
        };
        assert_eq!(
            with_session.code(),
            expected,
            "session token: {query}: {}",
            with_session.body
        );
    }
    // An organization of this instance is found by its slug only from this instance.
    let by_slug = server
        .gql(
            Auth::Bearer(&other_sk),
            "{ organization(slug: \"home\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(by_slug.code(), "NOT_FOUND");
    // The other instance's user cannot be added here either.
    let other_user = server
        .gql(Auth::Bearer(&stranger), "{ me { id } }", json!({}))
        .await;
    let other_user = other_user.data()["me"]["id"].as_str().unwrap().to_owned();
    let foreign = server
        .backend(ADD, json!({"o": org, "u": other_user}))
        .await;
    assert_eq!(foreign.code(), "NOT_FOUND");
    // Still there, unchanged.
    let still = server
        .backend(
            "query($o: ID!) { organization(id: $o) { name membersCount } }",
            json!({"o": org}),
        )
        .await;
    assert_eq!(
        still.data()["organization"],
        json!({"name": "Home", "membersCount": 1})
    );
}

#[tokio::test]
async fn concurrent_changes_keep_the_limit_and_a_manager() {
    let server = server().await;
    let a = Member::sign_up(&server, "a+latchkey_test@example.com").await;
    let b = Member::sign_up(&server, "b+latchkey_test@example.com").await;
    // From event 0: `subscribed` returns before the server has registered the subscription,
    // and a change made in between would otherwise be missed (none of these types came before).
    let mut events = latchkey_tests::subscriber::subscribed(
        &server.url,
        &server.secret_key,
        "subscription { events(types: [\"organization.created\", \"organizationMembership.created\", \"organizationMembership.updated\"], since: \"0\") { type organization data } }",
    )
    .await;
    let org = server
        .backend(CREATE_ORG, json!({"n": "Pair", "c": a.id, "m": 4}))
        .await;
    let org = org.data()["createOrganization"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    server
        .backend(ADD, json!({"o": org, "u": b.id, "r": "org:admin"}))
        .await
        .data();
    // Both admins step down at once: one of them stays an admin.
    let (one, two) = tokio::join!(
        a.gql(
            &server,
            UPDATE_MEMBER,
            json!({"o": org, "u": a.id, "r": "org:member"})
        ),
        b.gql(
            &server,
            UPDATE_MEMBER,
            json!({"o": org, "u": b.id, "r": "org:member"})
        ),
    );
    let refused = [&one, &two]
        .iter()
        .filter(|r| r.body.get("errors").is_some())
        .map(|r| r.code().to_owned())
        .collect::<Vec<_>>();
    assert_eq!(
        refused,
        ["VALIDATION_FAILED"],
        "{} / {}",
        one.body,
        two.body
    );
    // Each change is an event, in commit order: created, the creator's and b's memberships,
    // then the one step-down that passed.
    let mut seen = Vec::new();
    for _ in 0..4 {
        use futures_util::StreamExt;
        let message = tokio::time::timeout(std::time::Duration::from_secs(30), events.next())
            .await
            .expect("the events arrive")
            .unwrap()
            .unwrap();
        let message: Value = serde_json::from_str(message.to_text().unwrap()).unwrap();
        seen.push(message["payload"]["data"]["events"].clone());
    }
    let kinds: Vec<&str> = seen.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "organization.created",
            "organizationMembership.created",
            "organizationMembership.created",
            "organizationMembership.updated"
        ]
    );
    assert_eq!(seen[0]["organization"]["id"], org.as_str());
    assert_eq!(seen[3]["data"]["role"], "org:member");

    // Six users join at once where two seats are left: two get in.
    let mut users = Vec::new();
    for n in 0..6 {
        let created = server
            .backend(
                "mutation($e: String!) { createUser(input: {emailAddresses: [$e]}) { id } }",
                json!({"e": format!("u{n}@example.com")}),
            )
            .await;
        users.push(
            created.data()["createUser"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let adds = users
        .iter()
        .map(|u| server.backend(ADD, json!({"o": org, "u": u})));
    let results = futures_util::future::join_all(adds).await;
    let joined = results
        .iter()
        .filter(|r| r.body.get("errors").is_none())
        .count();
    assert_eq!(joined, 2);
    assert!(
        results
            .iter()
            .filter(|r| r.body.get("errors").is_some())
            .all(|r| r.code() == "VALIDATION_FAILED")
    );
    let count = server
        .backend(
            "query($o: ID!) { organization(id: $o) { membersCount } }",
            json!({"o": org}),
        )
        .await;
    assert_eq!(count.data()["organization"]["membersCount"], 4);
}
