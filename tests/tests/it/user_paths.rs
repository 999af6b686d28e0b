//! `users` over more users than a bounded count looks at (5,000): a substring that most users
//! hold and date ranges that hold most of them are met by walking the order's index, a rare
//! substring is fetched from the trigram index, and named users from their own. Whichever way
//! the server reads them, each page and count must be what plain SQL over the same rows says.

use latchkey_tests::TestServer;
use latchkey_tests::users_seed::{self, Seed};
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};

const USERS: u64 = 8_000;
const LIST: &str = "query($f: UserFilterInput, $o: UserOrderBy, $l: Int, $s: Int) { users(filter: $f, orderBy: $o, limit: $l, offset: $s) { data { id } totalCount } }";

/// The ids of the seeded users that `condition` holds for, in `order`, as plain SQL reads them
/// (`$1` is the instance's id; text ordered by its bytes on both engines, `{C}`; NULL first
/// ascending, `{NF}`, and last descending, `{NL}`, as SQLite has it).
async fn expected(
    server: &TestServer,
    condition: &str,
    order: &str,
    limit: i64,
    offset: i64,
) -> (Vec<String>, u64) {
    let db = Database::connect(server.db.url.as_str()).await.unwrap();
    let backend = db.get_database_backend();
    let postgres = server.db.is_postgres();
    let collate = if postgres { " COLLATE \"C\"" } else { "" };
    let (nulls_first, nulls_last) = if postgres {
        (" NULLS FIRST", " NULLS LAST")
    } else {
        ("", "")
    };
    let order = order
        .replace("{C}", collate)
        .replace("{NF}", nulls_first)
        .replace("{NL}", nulls_last);
    let sql = |text: String| {
        let text = if postgres {
            text
        } else {
            text.replace('$', "?")
        };
        Statement::from_sql_and_values(backend, text, [server.instance_id.as_str().into()])
    };
    let rows = db
        .query_all_raw(sql(format!(
            "SELECT id FROM users WHERE instance_id = $1 AND {condition} \
             ORDER BY {order} LIMIT {limit} OFFSET {offset}"
        )))
        .await
        .unwrap();
    let ids = rows
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect();
    let count = db
        .query_one_raw(sql(format!(
            "SELECT COUNT(*) FROM users WHERE instance_id = $1 AND {condition}"
        )))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    db.close().await.ok();
    (ids, count as u64)
}

/// An organization of the server's instance whose members are the seeded users `condition`
/// holds for (written as SQL, not through the API: thousands of them).
async fn organization(server: &TestServer, slug: &str, condition: &str) -> String {
    let created = server
        .backend(
            "mutation($s: String!) { createOrganization(name: $s, slug: $s, maxAllowedMemberships: 0) { id } }",
            json!({"s": slug}),
        )
        .await;
    let id = created.data()["createOrganization"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let db = Database::connect(server.db.url.as_str()).await.unwrap();
    let backend = db.get_database_backend();
    let sql = format!(
        "INSERT INTO organization_memberships (id, instance_id, organization_id, user_id, role, \
         public_metadata, private_metadata, created_at, updated_at) \
         SELECT '{slug}_' || id, instance_id, '{id}', id, 'org:member', '{{}}', '{{}}', \
         created_at, created_at FROM users WHERE instance_id = '{}' AND {condition}",
        server.instance_id
    );
    let written = db
        .execute_raw(Statement::from_string(backend, sql))
        .await
        .unwrap();
    assert!(written.rows_affected() > 0, "{slug} has members");
    db.close().await.ok();
    id
}

async fn page(
    server: &TestServer,
    filter: Value,
    order: &str,
    limit: i64,
    offset: i64,
) -> (Vec<String>, u64) {
    let answer = server
        .backend(
            LIST,
            json!({"f": filter, "o": order, "l": limit, "s": offset}),
        )
        .await;
    let users = &answer.data()["users"];
    let ids = users["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    (ids, users["totalCount"].as_u64().unwrap())
}

#[tokio::test]
async fn pages_over_many_users_match_plain_sql_whichever_way_they_are_read() {
    let server = TestServer::spawn().await;
    users_seed::seed(&Seed {
        database_url: server.db.url.clone(),
        instance_id: server.instance_id.clone(),
        count: USERS,
        start: None,
        analyze: false,
    })
    .await;
    let long_ago = "2000-01-01T00:00:00Z";
    let created_desc = "created_at DESC, id{C} DESC";
    let email_asc = "primary_email{C} ASC, id{C} ASC";
    let email_desc = "primary_email{C} DESC, id{C} DESC";
    let rare = users_seed::RARE_LAST_NAME[..8].to_lowercase();
    let email = server
        .db
        .scalar(&format!(
            "SELECT primary_email FROM users WHERE instance_id = '{}' ORDER BY created_at LIMIT 1",
            server.instance_id
        ))
        .await
        .unwrap();
    // A large organization (most users) and a small one (the Smiths), members written directly.
    let big = organization(&server, "big", "banned = FALSE").await;
    let small = organization(&server, "small", "last_name = 'Smith'").await;
    let members = |org: &str| {
        format!(
            "id IN (SELECT user_id FROM organization_memberships WHERE organization_id = '{org}')"
        )
    };
    let cases = [
        (
            json!({"organizationId": [big]}),
            "CREATED_AT_DESC",
            members(&big),
            created_desc,
            100,
            10,
        ),
        (
            json!({"organizationId": [small], "query": "smith"}),
            "EMAIL_ADDRESS_DESC",
            members(&small),
            email_desc,
            50,
            0,
        ),
        (
            json!({"organizationId": [small, big]}),
            "EMAIL_ADDRESS_ASC",
            format!("({} OR {})", members(&small), members(&big)),
            email_asc,
            20,
            3000,
        ),
        // Every seeded user's address holds "example": a time order is walked; a text order
        // fetches them all.
        (
            json!({"query": "Example"}),
            "EMAIL_ADDRESS_ASC",
            "search_text LIKE '%example%'".to_owned(),
            email_asc,
            100,
            250,
        ),
        (
            json!({"query": "example", "banned": false}),
            "CREATED_AT_DESC",
            "search_text LIKE '%example%' AND banned = FALSE".to_owned(),
            created_desc,
            10,
            0,
        ),
        (
            json!({"query": "example", "lastSignInAfter": long_ago}),
            "LAST_SIGN_IN_AT_DESC",
            "last_sign_in_at IS NOT NULL AND search_text LIKE '%example%'".to_owned(),
            "last_sign_in_at DESC{NL}, id{C} DESC",
            100,
            300,
        ),
        // The whole instance (its kept count), deep.
        (
            json!({}),
            "CREATED_AT_DESC",
            "TRUE".to_owned(),
            created_desc,
            10,
            7995,
        ),
        // Text orders with NULLs, found first and sorted.
        (
            json!({"query": "Example"}),
            "USERNAME_ASC",
            "search_text LIKE '%example%'".to_owned(),
            "username{C} ASC{NF}, id{C} ASC",
            100,
            0,
        ),
        // Short queries, tested on each user: in a time order, and in a text order.
        (
            json!({"query": "ex"}),
            "LAST_ACTIVE_AT_ASC",
            "search_text LIKE '%ex%'".to_owned(),
            "last_active_at ASC{NF}, id{C} ASC",
            100,
            2000,
        ),
        (
            json!({"query": "ex"}),
            "FIRST_NAME_DESC",
            "search_text LIKE '%ex%'".to_owned(),
            "first_name{C} DESC{NL}, id{C} DESC",
            100,
            7000,
        ),
        // Large creation and sign-in ranges, bounded above, in a text order.
        (
            json!({"createdAfter": long_ago}),
            "EMAIL_ADDRESS_ASC",
            "TRUE".to_owned(),
            email_asc,
            20,
            100,
        ),
        (
            json!({"createdBefore": "2100-01-01T00:00:00Z",
                   "lastSignInBefore": "2100-01-01T00:00:00Z"}),
            "USERNAME_DESC",
            "last_sign_in_at IS NOT NULL".to_owned(),
            "username{C} DESC{NL}, id{C} DESC",
            100,
            10,
        ),
        // A rare substring: fetched from the trigram index and sorted, in a time order too.
        (
            json!({"query": rare}),
            "CREATED_AT_DESC",
            format!("search_text LIKE '%{rare}%'"),
            created_desc,
            5,
            0,
        ),
        (
            json!({"query": rare}),
            "EMAIL_ADDRESS_DESC",
            format!("search_text LIKE '%{rare}%'"),
            email_desc,
            5,
            1,
        ),
        // About 70 % signed in, all since long ago: a large range, walked in another order.
        (
            json!({"lastSignInAfter": long_ago}),
            "EMAIL_ADDRESS_DESC",
            "last_sign_in_at IS NOT NULL".to_owned(),
            email_desc,
            100,
            0,
        ),
        (
            json!({"createdAfter": long_ago, "lastSignInAfter": long_ago, "query": "example"}),
            "EMAIL_ADDRESS_ASC",
            "last_sign_in_at IS NOT NULL AND search_text LIKE '%example%'".to_owned(),
            email_asc,
            50,
            4000,
        ),
        // Named users: fetched and sorted, the rest of the filter tested on them.
        (
            json!({"emailAddress": [email.to_uppercase(), "nobody@example.com"], "query": "exam"}),
            "CREATED_AT_DESC",
            format!("primary_email = '{email}'"),
            created_desc,
            10,
            0,
        ),
    ];
    for (filter, order, condition, sql_order, limit, offset) in cases {
        let want = expected(&server, &condition, sql_order, limit, offset).await;
        let got = page(&server, filter.clone(), order, limit, offset).await;
        assert!(
            want.1 > 0,
            "the seed holds users for {filter} (is the seed's spread still the same?)"
        );
        assert_eq!(got, want, "{filter} in {order}, {limit} after {offset}");
    }
}
