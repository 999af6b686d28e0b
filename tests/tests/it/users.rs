//! The backend's `users`: every filter and order, `totalCount` and `usersCount`, pages, bad
//! input, and another instance's key seeing none of it.

use std::collections::BTreeSet;

use chrono::Duration;
use latchkey_tests::server::lift_ip_limits;
use latchkey_tests::{Auth, Frontend, TestServer};
use serde_json::{Value, json};

const PASSWORD: &str = "a sturdy passphrase";
const LIST: &str = "query($f: UserFilterInput, $o: UserOrderBy, $l: Int, $s: Int) { users(filter: $f, orderBy: $o, limit: $l, offset: $s) { data { id } totalCount } }";

/// Ids of a `users` answer, in order.
fn ids(answer: &Value) -> Vec<String> {
    answer["users"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn list(server: &TestServer, filter: Value, order: Option<&str>) -> Vec<String> {
    let answer = server
        .backend(LIST, json!({"f": filter, "o": order, "l": 500}))
        .await;
    ids(answer.data())
}

async fn found(server: &TestServer, filter: Value) -> BTreeSet<String> {
    let users = list(server, filter.clone(), None).await;
    let count = server
        .backend(
            "query($f: UserFilterInput) { usersCount(filter: $f) }",
            json!({"f": filter}),
        )
        .await;
    assert_eq!(
        count.data()["usersCount"].as_u64().unwrap(),
        users.len() as u64,
        "usersCount agrees with the list for {filter}"
    );
    users.into_iter().collect()
}

fn set(users: &[&str]) -> BTreeSet<String> {
    users.iter().map(|s| (*s).to_owned()).collect()
}

/// `actual` is `groups` in order; the users inside a group (equal values) in any order.
fn assert_groups(actual: &[String], groups: &[Vec<&str>], what: &str) {
    let mut rest = actual;
    for group in groups {
        assert!(
            rest.len() >= group.len(),
            "{what}: {actual:?} vs {groups:?}"
        );
        let (head, tail) = rest.split_at(group.len());
        assert_eq!(
            head.iter().cloned().collect::<BTreeSet<_>>(),
            set(group),
            "{what}: {actual:?} vs {groups:?}"
        );
        rest = tail;
    }
    assert!(rest.is_empty(), "{what}: {actual:?} vs {groups:?}");
}

async fn create(server: &TestServer, input: Value) -> Value {
    let created = server
        .backend(
            "mutation($i: CreateUserInput!) { createUser(input: $i) { id createdAt } }",
            json!({"i": input}),
        )
        .await;
    created.data()["createUser"].clone()
}

#[tokio::test]
async fn users_are_filtered_ordered_counted_and_paged() {
    let (server, clock) = TestServer::spawn_with_clock(lift_ip_limits).await;
    let tick = || clock.advance(Duration::minutes(1));
    let ada = create(
        &server,
        json!({"emailAddresses": ["Ada.Lovelace@Example.com"], "username": "adal", "firstName": "Ada", "lastName": "Lovelace", "externalId": "ext-1"}),
    )
    .await;
    tick();
    let grace = create(
        &server,
        json!({"emailAddresses": ["grace@navy.mil"], "username": "ghopper", "firstName": "Grace", "lastName": "Hopper"}),
    )
    .await;
    tick();
    let linus = create(
        &server,
        json!({"username": "linus_t", "firstName": "Linus", "lastName": "Torvalds"}),
    )
    .await;
    tick();
    let zed = create(
        &server,
        json!({"emailAddresses": ["zed@example.org"], "externalId": "ext-4"}),
    )
    .await;
    tick();
    let (_, _) = Frontend::signed_up(
        &server.url,
        &server.publishable_key,
        "barbara+latchkey_test@example.com",
        PASSWORD,
    )
    .await;
    tick();
    let (mut alan_client, _) = Frontend::signed_up(
        &server.url,
        &server.publishable_key,
        "alan+latchkey_test@example.com",
        PASSWORD,
    )
    .await;
    tick();
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    let (ada, grace, linus, zed) = (id(&ada), id(&grace), id(&linus), id(&zed));
    let by_email = |email: &'static str| {
        let server = &server;
        async move { list(server, json!({"emailAddress": [email]}), None).await[0].clone() }
    };
    let barbara = by_email("barbara+latchkey_test@example.com").await;
    let alan = by_email("ALAN+latchkey_test@example.com").await;
    server
        .backend(
            "mutation($id: ID!) { banUser(id: $id) { id } }",
            json!({"id": zed}),
        )
        .await
        .data();
    tick();
    alan_client
        .gql(
            "mutation($i: String!, $p: String!) { createSignIn(input: {identifier: $i, password: $p}) { status } }",
            json!({"i": "alan+latchkey_test@example.com", "p": PASSWORD}),
        )
        .await
        .data();
    let (a, g, l, z, b, n) = (
        ada.as_str(),
        grace.as_str(),
        linus.as_str(),
        zed.as_str(),
        barbara.as_str(),
        alan.as_str(),
    );

    // Every order, ascending; descending is its exact reverse (ties by id both ways; a missing
    // value first ascending, last descending).
    let orders: [(&str, Vec<Vec<&str>>); 8] = [
        (
            "CREATED_AT",
            vec![vec![a], vec![g], vec![l], vec![z], vec![b], vec![n]],
        ),
        (
            "UPDATED_AT",
            vec![vec![a], vec![g], vec![l], vec![b], vec![z], vec![n]],
        ),
        ("LAST_SIGN_IN_AT", vec![vec![a, g, l, z], vec![b], vec![n]]),
        ("LAST_ACTIVE_AT", vec![vec![a, g, l, z], vec![b], vec![n]]),
        (
            "EMAIL_ADDRESS",
            vec![vec![l], vec![a], vec![n], vec![b], vec![g], vec![z]],
        ),
        ("USERNAME", vec![vec![z, b, n], vec![a], vec![g], vec![l]]),
        ("FIRST_NAME", vec![vec![z, b, n], vec![a], vec![g], vec![l]]),
        ("LAST_NAME", vec![vec![z, b, n], vec![g], vec![a], vec![l]]),
    ];
    for (field, groups) in orders {
        let asc = list(&server, json!({}), Some(&format!("{field}_ASC"))).await;
        assert_groups(&asc, &groups, field);
        let mut desc = list(&server, json!({}), Some(&format!("{field}_DESC"))).await;
        desc.reverse();
        assert_eq!(desc, asc, "{field}_DESC is {field}_ASC reversed");
    }
    // The default order is newest first.
    assert_eq!(
        list(&server, json!({}), None).await,
        [n, b, z, l, g, a].map(str::to_owned)
    );

    // Every filter.
    assert_eq!(
        found(&server, json!({"emailAddress": ["GRACE@navy.mil"]})).await,
        set(&[g])
    );
    assert_eq!(
        found(&server, json!({"username": ["ADAL", "linus_t"]})).await,
        set(&[a, l])
    );
    assert_eq!(found(&server, json!({"userId": [z]})).await, set(&[z]));
    assert_eq!(
        found(&server, json!({"externalId": ["ext-1", "ext-4"]})).await,
        set(&[a, z])
    );
    assert_eq!(found(&server, json!({"banned": true})).await, set(&[z]));
    assert_eq!(
        found(&server, json!({"banned": false})).await,
        set(&[a, g, l, b, n])
    );
    assert_eq!(
        found(&server, json!({"userId": []})).await.len(),
        6,
        "an empty list is no condition"
    );
    let created = |user: &str| {
        let server = &server;
        let user = user.to_owned();
        async move {
            server
                .backend(
                    "query($id: ID!) { user(id: $id) { createdAt lastSignInAt } }",
                    json!({"id": user}),
                )
                .await
                .data()["user"]
                .clone()
        }
    };
    let linus_at = created(l).await["createdAt"].clone();
    assert_eq!(
        found(&server, json!({"createdAfter": linus_at})).await,
        set(&[z, b, n])
    );
    assert_eq!(
        found(&server, json!({"createdBefore": linus_at})).await,
        set(&[a, g])
    );
    let barbara_in = created(b).await["lastSignInAt"].clone();
    assert_eq!(
        found(&server, json!({"lastSignInAfter": barbara_in})).await,
        set(&[n])
    );
    let alan_in = created(n).await["lastSignInAt"].clone();
    assert_eq!(
        found(&server, json!({"lastSignInBefore": alan_in})).await,
        set(&[b])
    );

    // `query`: a part of an email address, username, first or last name (any case), or the
    // whole id (a part of an id matches nothing: random letters would match by chance).
    for (query, expected) in [
        ("lovelace", vec![a]),
        ("LOVE", vec![a]),
        ("ada lovelace", vec![a]),
        ("adal", vec![a]),
        ("navy", vec![g]),
        ("Hop", vec![g]),
        ("linus_t", vec![l]),
        ("torvalds", vec![l]),
        ("s_t", vec![l]),
        ("@n", vec![g]),
        ("%", vec![]),
        ("a\"b", vec![]),
        ("xyzzy", vec![]),
        (z, vec![z]),
        (&z[5..14], vec![]),
    ] {
        assert_eq!(
            found(&server, json!({"query": query})).await,
            set(&expected),
            "query {query:?}"
        );
    }
    assert_eq!(
        found(&server, json!({"query": "example", "banned": false})).await,
        set(&[a, b, n]),
        "conditions add up"
    );

    // Pages: `totalCount` counts every page; pages of two walk the whole order.
    let first = server
        .backend(
            LIST,
            json!({"f": {"query": "example"}, "l": 1, "o": "CREATED_AT_ASC"}),
        )
        .await;
    assert_eq!(first.data()["users"]["totalCount"], 4);
    assert_eq!(ids(first.data()), [a]);
    let mut walked = Vec::new();
    for page in 0..3 {
        let answer = server
            .backend(LIST, json!({"l": 2, "s": page * 2, "o": "CREATED_AT_ASC"}))
            .await;
        walked.extend(ids(answer.data()));
    }
    assert_eq!(walked, [a, g, l, z, b, n].map(str::to_owned));

    // Bad input.
    for (variables, field) in [
        (json!({"l": 0}), "limit"),
        (json!({"l": 501}), "limit"),
        (json!({"l": 10_000}), "limit"),
        (json!({"s": -1}), "offset"),
        (json!({"f": {"query": "x".repeat(257)}}), "filter.query"),
        (
            json!({"f": {"userId": vec!["user_x"; 101]}}),
            "filter.userId",
        ),
    ] {
        let answer = server.backend(LIST, variables.clone()).await;
        assert_eq!(answer.code(), "VALIDATION_FAILED", "{variables}");
        assert_eq!(answer.extensions()["field"], field, "{variables}");
    }

    // Another instance's key sees none of these users; a frontend may not list at all.
    let (_, other_key) = server.create_instance_with_key("other").await;
    let other = server
        .gql(
            Auth::Bearer(&other_key),
            LIST,
            json!({"f": {"userId": [a]}}),
        )
        .await;
    assert_eq!(other.data()["users"], json!({"data": [], "totalCount": 0}));
    let frontend = server
        .gql(Auth::Publishable(&server.publishable_key), LIST, json!({}))
        .await;
    assert_eq!(frontend.code(), "FORBIDDEN");
}
