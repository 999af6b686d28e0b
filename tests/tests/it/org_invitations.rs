//! Organization invitations: mailed through a real SMTP server, accepted by a signed-in user
//! holding the address or at sign-up, revoked, expired (an injected clock), and events.

use std::time::Duration;

use latchkey_tests::server::lift_ip_limits;
use latchkey_tests::smtp::SmtpServer;
use latchkey_tests::{Frontend, TestServer};
use serde_json::json;

use super::organizations::{Member, PASSWORD, create_org};

const INVITE: &str = "mutation($o: ID!, $e: String!, $r: String, $d: Int, $u: String) { createOrganizationInvitation(organizationId: $o, emailAddress: $e, role: $r, expiresInDays: $d, redirectUrl: $u) { id status role emailAddress expiresAt } }";
const ACCEPT: &str = "mutation($i: ID!) { acceptOrganizationInvitation(invitationId: $i) { role organization { slug } } }";
const INVITATIONS: &str = "query($o: ID!, $s: InvitationStatus) { organizationInvitations(organizationId: $o, status: $s) { id status } }";

#[tokio::test]
async fn invitations_are_mailed_accepted_revoked_and_expire() {
    let smtp = SmtpServer::start();
    let smtp_url = smtp.url.clone();
    let (server, clock) = TestServer::spawn_with_clock(move |config| {
        lift_ip_limits(config);
        config.mail.smtp_url = Some(smtp_url.clone());
    })
    .await;
    server
        .backend(
            "mutation { updateInstanceSettings(input: {allowedOrigins: [\"https://app.example\"]}) { settings { allowedOrigins } } }",
            json!({}),
        )
        .await
        .data();
    let mut owner = Member::sign_up(&server, "owner+latchkey_test@example.com").await;
    let org = create_org(&server, "Blue Team", Some(&owner.id)).await;

    // The owner invites by mail, with a link on an allowed origin.
    const JOINER: &str = "joiner+latchkey_test@example.com";
    let invited = owner
        .gql(
            &server,
            INVITE,
            json!({"o": org, "e": JOINER, "u": "https://app.example/join?team=blue"}),
        )
        .await;
    let invitation = invited.data()["createOrganizationInvitation"].clone();
    assert_eq!(invitation["status"], "PENDING");
    assert_eq!(invitation["role"], "org:member");
    let id = invitation["id"].as_str().unwrap().to_owned();
    let mail = smtp
        .wait_for(JOINER, 1, Duration::from_secs(30))
        .await
        .pop()
        .unwrap();
    assert!(
        mail.header("subject")
            .unwrap()
            .contains("invited to join Blue Team"),
        "{:?}",
        mail.header("subject")
    );
    let link = format!("https://app.example/join?team=blue&__latchkey_invitation={id}");
    assert!(
        mail.data
            .replace("=\r\n", "")
            .replace("=3D", "=")
            .contains(&link),
        "the mail links to the page: {}",
        mail.data
    );
    for (variables, field) in [
        (json!({"o": org, "e": JOINER}), "emailAddress"),
        (json!({"o": org, "e": "not an address"}), "emailAddress"),
        (
            json!({"o": org, "e": "a@example.com", "r": "org:ghost"}),
            "role",
        ),
        (
            json!({"o": org, "e": "a@example.com", "d": 0}),
            "expiresInDays",
        ),
        (
            json!({"o": org, "e": "a@example.com", "u": "https://evil.example/x"}),
            "redirectUrl",
        ),
    ] {
        let refused = owner.gql(&server, INVITE, variables.clone()).await;
        assert_eq!(refused.code(), "VALIDATION_FAILED", "{variables}");
        assert_eq!(refused.extensions()["field"], field, "{variables}");
    }

    // Signing up with the invited address accepts it.
    let (mut joiner, session) =
        Frontend::signed_up(&server.url, &server.publishable_key, JOINER, PASSWORD).await;
    let joiner_jwt = joiner.session_jwt(&session).await;
    let mine = server
        .gql(
            latchkey_tests::Auth::Bearer(&joiner_jwt),
            "{ myOrganizationMemberships { role organization { slug } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        mine.data()["myOrganizationMemberships"],
        json!([{"role": "org:member", "organization": {"slug": "blue-team"}}])
    );
    let accepted = owner
        .gql(&server, INVITATIONS, json!({"o": org, "s": "ACCEPTED"}))
        .await;
    assert_eq!(
        accepted.data()["organizationInvitations"],
        json!([{"id": id, "status": "ACCEPTED"}])
    );

    // A signed-in user accepts one to its verified address; nobody else can.
    let existing = Member::sign_up(&server, "existing+latchkey_test@example.com").await;
    let mut other = Member::sign_up(&server, "other+latchkey_test@example.com").await;
    let second = server
        .backend(
            INVITE,
            json!({"o": org, "e": "EXISTING+latchkey_test@example.com", "r": "org:admin"}),
        )
        .await;
    let second = second.data()["createOrganizationInvitation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pending = existing
        .gql(&server, "{ myOrganizationInvitations { id } }", json!({}))
        .await;
    assert_eq!(
        pending.data()["myOrganizationInvitations"],
        json!([{"id": second}])
    );
    let stolen = other.gql(&server, ACCEPT, json!({"i": second})).await;
    assert_eq!(stolen.code(), "NOT_FOUND");
    let joined = existing.gql(&server, ACCEPT, json!({"i": second})).await;
    assert_eq!(
        joined.data()["acceptOrganizationInvitation"],
        json!({"role": "org:admin", "organization": {"slug": "blue-team"}})
    );
    let twice = existing.gql(&server, ACCEPT, json!({"i": second})).await;
    assert_eq!(twice.code(), "VALIDATION_FAILED");

    // Revoked: no longer accepted.
    let third = server
        .backend(
            INVITE,
            json!({"o": org, "e": "other+latchkey_test@example.com"}),
        )
        .await;
    let third = third.data()["createOrganizationInvitation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let revoked = owner
        .gql(
            &server,
            "mutation($o: ID!, $i: ID!) { revokeOrganizationInvitation(organizationId: $o, invitationId: $i) { status } }",
            json!({"o": org, "i": third}),
        )
        .await;
    assert_eq!(
        revoked.data()["revokeOrganizationInvitation"]["status"],
        "REVOKED"
    );
    assert_eq!(
        other.gql(&server, ACCEPT, json!({"i": third})).await.code(),
        "VALIDATION_FAILED"
    );

    // Expired: past its days, refused with VERIFICATION_EXPIRED.
    let fourth = server
        .backend(
            INVITE,
            json!({"o": org, "e": "other+latchkey_test@example.com", "d": 1}),
        )
        .await;
    let fourth = fourth.data()["createOrganizationInvitation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    clock.advance(chrono::Duration::days(2));
    owner.refresh().await;
    other.refresh().await;
    let expired = owner
        .gql(&server, INVITATIONS, json!({"o": org, "s": "EXPIRED"}))
        .await;
    assert_eq!(
        expired.data()["organizationInvitations"],
        json!([{"id": fourth, "status": "EXPIRED"}])
    );
    assert_eq!(
        other
            .gql(&server, ACCEPT, json!({"i": fourth}))
            .await
            .code(),
        "VERIFICATION_EXPIRED"
    );
    let members = server
        .backend(
            "query($o: ID!) { organization(id: $o) { membersCount } }",
            json!({"o": org}),
        )
        .await;
    assert_eq!(members.data()["organization"]["membersCount"], 3);
}
