//! The active organization: `setActiveSession(sessionId, organizationId)`, the `o` claim of
//! session tokens as it follows role changes and removal, `verifyToken`'s `has()`, the Rust
//! verification crate, and JWT template shortcodes `org.*` and `org_membership.*`.

use latchkey_tests::TestServer;
use serde_json::{Value, json};

use super::organizations::{Member, create_org, server};

const SET_ACTIVE: &str = "mutation($s: ID!, $o: ID) { setActiveSession(sessionId: $s, organizationId: $o) { sessions { id lastActiveOrganizationId } } }";
const VERIFY: &str = "mutation($t: String!) { verifyToken(token: $t) { isAuthenticated orgId orgRole orgPermissions admin: has(role: \"org:admin\") billing: has(role: \"billing\", permission: \"org:invoices:read\") pay: has(permission: \"invoices:pay\") manage: has(permission: \"org:sys_memberships:manage\") } }";

/// The claims of a session token (its payload, not verified).
pub fn claims_of(jwt: &str) -> Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

async fn verify(server: &TestServer, jwt: &str) -> Value {
    server.backend(VERIFY, json!({"t": jwt})).await.data()["verifyToken"].clone()
}

#[tokio::test]
async fn the_o_claim_follows_the_active_organization() {
    let server = server().await;
    let mut user = Member::sign_up(&server, "jane+latchkey_test@example.com").await;
    let acme = create_org(&server, "Acme", Some(&user.id)).await;
    let globex = create_org(&server, "Globex", None).await;
    let stranger_org = create_org(&server, "Initech", None).await;
    for (key, name) in [("org:invoices:read", "Read"), ("org:invoices:pay", "Pay")] {
        server
            .backend(
                "mutation($k: String!, $n: String!) { createPermission(key: $k, name: $n) { id } }",
                json!({"k": key, "n": name}),
            )
            .await
            .data();
    }
    server
        .backend(
            "mutation { createRole(key: \"org:billing\", name: \"Billing\", permissions: [\"org:invoices:read\", \"org:sys_memberships:read\"]) { key } }",
            json!({}),
        )
        .await
        .data();
    server
        .backend(
            "mutation($o: ID!, $u: ID!) { createOrganizationMembership(organizationId: $o, userId: $u, role: \"org:billing\") { id } }",
            json!({"o": globex, "u": user.id}),
        )
        .await
        .data();
    assert!(
        claims_of(&user.jwt).get("o").is_none(),
        "no organization yet"
    );

    // Acme, as its admin: the role without `org:`, no custom permission.
    let set = user
        .frontend
        .gql(SET_ACTIVE, json!({"s": user.session, "o": acme}))
        .await;
    assert_eq!(
        set.data()["setActiveSession"]["sessions"][0]["lastActiveOrganizationId"],
        acme.as_str()
    );
    let jwt = user.refresh().await;
    assert_eq!(
        claims_of(&jwt)["o"],
        json!({"id": acme, "slg": "acme", "rol": "admin", "per": ""})
    );
    let verdict = verify(&server, &jwt).await;
    assert_eq!(verdict["orgId"], acme.as_str());
    assert_eq!(verdict["orgRole"], "org:admin");
    assert_eq!(verdict["orgPermissions"], json!([]));
    assert_eq!(
        (&verdict["admin"], &verdict["billing"], &verdict["manage"]),
        (&json!(true), &json!(false), &json!(false)),
        "system permissions are not in tokens"
    );

    // Globex, as billing: its custom permission, checked by PyJWT and by latchkey-verify.
    user.frontend
        .gql(SET_ACTIVE, json!({"s": user.session, "o": globex}))
        .await
        .data();
    let jwt = user.refresh().await;
    assert_eq!(
        claims_of(&jwt)["o"],
        json!({"id": globex, "slg": "globex", "rol": "billing", "per": "invoices:read"})
    );
    let verdict = verify(&server, &jwt).await;
    assert_eq!(verdict["orgPermissions"], json!(["org:invoices:read"]));
    assert_eq!(
        (&verdict["admin"], &verdict["billing"]),
        (&json!(false), &json!(true))
    );
    let issuer = format!("{}/i/{}", server.url, server.instance_id);
    let (_, by_pyjwt) =
        latchkey_tests::pyjwt::verify(&format!("{issuer}/.well-known/jwks.json"), &jwt, &issuer)
            .await
            .unwrap();
    assert_eq!(by_pyjwt["o"]["rol"], "billing");
    let by_crate = latchkey_verify::Verifier::new(issuer.clone())
        .verify(&jwt)
        .await
        .unwrap();
    assert!(by_crate.has(Some("org:billing"), Some("org:invoices:read")));
    assert!(!by_crate.has(Some("org:admin"), None));

    // The role gains a permission: the next refresh carries it.
    server
        .backend(
            "mutation { updateRole(key: \"org:billing\", permissions: [\"org:invoices:read\", \"org:invoices:pay\", \"org:sys_memberships:read\"]) { key } }",
            json!({}),
        )
        .await
        .data();
    let jwt = user.refresh().await;
    assert_eq!(claims_of(&jwt)["o"]["per"], "invoices:pay,invoices:read");
    assert_eq!(verify(&server, &jwt).await["pay"], true);

    // A JWT template reads the organization and the membership.
    server
        .backend(
            "mutation($c: JSON!) { createJwtTemplate(name: \"org\", claims: $c) { id } }",
            json!({"c": {
                "org": "{{org.slug}}", "org_name": "{{org.name}}", "role": "{{org.role}}",
                "perms": "{{org_membership.permissions}}", "label": "{{org.name}} as {{org_membership.role}}",
                "plan": "{{org.public_metadata.plan || 'free'}}"
            }}),
        )
        .await
        .data();
    let templated = user
        .frontend
        .gql(
            "mutation($s: ID!) { createSessionToken(sessionId: $s, template: \"org\") { jwt } }",
            json!({"s": user.session}),
        )
        .await;
    let claims = claims_of(
        templated.data()["createSessionToken"]["jwt"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(claims["org"], "globex");
    assert_eq!(claims["org_name"], "Globex");
    assert_eq!(claims["role"], "org:billing");
    assert_eq!(
        claims["perms"],
        json!([
            "org:invoices:pay",
            "org:invoices:read",
            "org:sys_memberships:read"
        ])
    );
    assert_eq!(claims["label"], "Globex as org:billing");
    assert_eq!(claims["plan"], "free");

    // Not a member: refused, and the active organization stays.
    let refused = user
        .frontend
        .gql(SET_ACTIVE, json!({"s": user.session, "o": stranger_org}))
        .await;
    assert_eq!(refused.code(), "NOT_FOUND");
    assert_eq!(claims_of(&user.refresh().await)["o"]["id"], globex.as_str());

    // Removed from Globex: the claim is gone at once, and the session no longer names it.
    server
        .backend(
            "mutation($o: ID!, $u: ID!) { deleteOrganizationMembership(organizationId: $o, userId: $u) { id } }",
            json!({"o": globex, "u": user.id}),
        )
        .await
        .data();
    let jwt = user.refresh().await;
    assert!(claims_of(&jwt).get("o").is_none(), "{}", claims_of(&jwt));
    assert_eq!(verify(&server, &jwt).await["orgId"], Value::Null);
    let client = user
        .frontend
        .gql(
            "{ client { sessions { lastActiveOrganizationId } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        client.data()["client"]["sessions"][0]["lastActiveOrganizationId"],
        Value::Null
    );

    // Back to Acme, then to no organization with `null`; a slug change reaches the claim.
    user.frontend
        .gql(SET_ACTIVE, json!({"s": user.session, "o": acme}))
        .await
        .data();
    server
        .backend(
            "mutation($o: ID!) { updateOrganization(id: $o, input: {slug: \"acme-corp\"}) { slug } }",
            json!({"o": acme}),
        )
        .await
        .data();
    assert_eq!(claims_of(&user.refresh().await)["o"]["slg"], "acme-corp");
    user.frontend
        .gql(SET_ACTIVE, json!({"s": user.session, "o": null}))
        .await
        .data();
    assert!(claims_of(&user.refresh().await).get("o").is_none());

    // Deleting the organization clears it from sessions too.
    user.frontend
        .gql(SET_ACTIVE, json!({"s": user.session, "o": acme}))
        .await
        .data();
    server
        .backend(
            "mutation($o: ID!) { deleteOrganization(id: $o) { deleted } }",
            json!({"o": acme}),
        )
        .await
        .data();
    assert!(claims_of(&user.refresh().await).get("o").is_none());
}
