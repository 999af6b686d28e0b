//! The token endpoint (`POST /v1/client/sessions/{id}/tokens[/{template}]`): the same tokens
//! and the same refusals as `createSessionToken`, with the statuses that fit.

use latchkey_domain::rate_limit::Quota;
use latchkey_tests::{Frontend, TestServer};
use serde_json::{Value, json};

/// One request to both: who sends it, for which session and template, from where.
struct Ask<'a> {
    session: &'a str,
    template: Option<&'a str>,
    publishable_key: Option<&'a str>,
    client: Option<&'a str>,
    secret_key: Option<&'a str>,
    origin: Option<&'a str>,
}

impl Ask<'_> {
    fn headers(&self, mut request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        if let Some(key) = self.publishable_key {
            request = request.header("Latchkey-Publishable-Key", key);
        }
        if let Some(client) = self.client {
            request = request.header("Latchkey-Client", client);
        }
        if let Some(secret) = self.secret_key {
            request = request.bearer_auth(secret);
        }
        if let Some(origin) = self.origin {
            request = request.header("Origin", origin);
        }
        request
    }

    /// The token endpoint's status, `Retry-After`, `Access-Control-Allow-Origin` and body.
    async fn endpoint(&self, server: &TestServer) -> (u16, Option<String>, Option<String>, Value) {
        let path = match self.template {
            Some(template) => format!("tokens/{template}"),
            None => "tokens".to_owned(),
        };
        let url = format!("{}/v1/client/sessions/{}/{path}", server.url, self.session);
        let response = self
            .headers(reqwest::Client::new().post(url))
            .send()
            .await
            .unwrap();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let (retry, allow) = (header("retry-after"), header("access-control-allow-origin"));
        (
            response.status().as_u16(),
            retry,
            allow,
            response.json().await.unwrap(),
        )
    }

    /// `createSessionToken`'s answer over GraphQL.
    async fn graphql(&self, server: &TestServer) -> Value {
        let body = json!({
            "query": "mutation($s: ID!, $t: String) { createSessionToken(sessionId: $s, template: $t) { jwt expiresAt } }",
            "variables": {"s": self.session, "t": self.template},
        });
        let request = reqwest::Client::new()
            .post(format!("{}/graphql", server.url))
            .json(&body);
        self.headers(request)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

/// A token's claims without those that differ from one token to the next.
fn lasting_claims(jwt: &str) -> Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    let mut claims: Value = serde_json::from_slice(&bytes).unwrap();
    for varying in ["iat", "nbf", "exp", "jti"] {
        claims.as_object_mut().unwrap().remove(varying);
    }
    claims
}

#[tokio::test]
async fn the_token_endpoint_answers_as_create_session_token_does() {
    // Four backend calls an hour: two to set up, and the secret key's case (once at the
    // endpoint, once over GraphQL); its fifth is limited.
    let server = TestServer::spawn_with(|config| {
        config.rate_limits.backend = Quota::new(4, 3600);
    })
    .await;
    server
        .backend(
            "mutation { updateInstanceSettings(input: {allowedOrigins: [\"https://app.example\"], sessions: {multiSession: true}}) { id } }",
            json!({}),
        )
        .await
        .data();
    server
        .backend(
            "mutation($c: JSON!) { createJwtTemplate(name: \"hasura\", claims: $c) { id } }",
            json!({"c": {"role": "user"}}),
        )
        .await
        .data();
    let (frontend, session) = Frontend::signed_up(
        &server.url,
        &server.publishable_key,
        "endpoint+latchkey_test@example.com",
        "a sturdy passphrase",
    )
    .await;
    let (mut other, ended) = Frontend::signed_up(
        &server.url,
        &server.publishable_key,
        "ended+latchkey_test@example.com",
        "a sturdy passphrase",
    )
    .await;
    other
        .gql(
            "mutation($s: ID!) { signOut(sessionId: $s) { id } }",
            json!({"s": ended}),
        )
        .await
        .data();
    let client = frontend.token.clone().unwrap();
    let other_client = other.token.clone().unwrap();
    let ask = || Ask {
        session: &session,
        template: None,
        publishable_key: Some(&server.publishable_key),
        client: Some(&client),
        secret_key: None,
        origin: None,
    };
    // (case, request, status, code or None for a token, the token's azp)
    let cases = [
        ("a token", ask(), 200, None),
        (
            "an allowed origin",
            Ask {
                origin: Some("https://app.example"),
                ..ask()
            },
            200,
            None,
        ),
        (
            "the server's own origin",
            Ask {
                origin: Some(&server.url),
                ..ask()
            },
            200,
            None,
        ),
        (
            "a template",
            Ask {
                template: Some("hasura"),
                ..ask()
            },
            200,
            None,
        ),
        (
            "an unknown template",
            Ask {
                template: Some("nope"),
                ..ask()
            },
            404,
            Some("NOT_FOUND"),
        ),
        (
            "an unknown session",
            Ask {
                session: "sess_nope",
                ..ask()
            },
            404,
            Some("NOT_FOUND"),
        ),
        (
            "another client's session",
            Ask {
                session: &ended,
                ..ask()
            },
            404,
            Some("NOT_FOUND"),
        ),
        (
            "an ended session",
            Ask {
                session: &ended,
                client: Some(&other_client),
                ..ask()
            },
            409,
            Some("SESSION_NOT_ACTIVE"),
        ),
        (
            "no client",
            Ask {
                client: None,
                ..ask()
            },
            404,
            Some("NOT_FOUND"),
        ),
        (
            "a client token no client has",
            Ask {
                client: Some("not-a-client"),
                ..ask()
            },
            404,
            Some("NOT_FOUND"),
        ),
        (
            "no key at all",
            Ask {
                publishable_key: None,
                client: None,
                ..ask()
            },
            401,
            Some("UNAUTHENTICATED"),
        ),
        (
            "a wrong publishable key",
            Ask {
                publishable_key: Some("pk_test_nope"),
                ..ask()
            },
            401,
            Some("UNAUTHENTICATED"),
        ),
        (
            "a secret key",
            Ask {
                publishable_key: None,
                client: None,
                secret_key: Some(&server.secret_key),
                ..ask()
            },
            403,
            Some("FORBIDDEN"),
        ),
    ];
    for (case, request, status, code) in cases {
        let (got, _, allow, body) = request.endpoint(&server).await;
        let over_graphql = request.graphql(&server).await;
        assert_eq!(got, status, "{case}: {body}");
        match code {
            None => {
                let jwt = body["jwt"].as_str().unwrap();
                let expires = body["expiresAt"].as_str().unwrap();
                assert!(
                    chrono::DateTime::parse_from_rfc3339(expires).is_ok(),
                    "{case}"
                );
                let theirs = &over_graphql["data"]["createSessionToken"];
                assert_eq!(
                    lasting_claims(jwt),
                    lasting_claims(theirs["jwt"].as_str().unwrap()),
                    "{case}: the same token as createSessionToken"
                );
                // Both origins are allowed (a development instance allows its own host).
                let azp = lasting_claims(jwt).get("azp").cloned();
                assert_eq!(azp, request.origin.map(|o| json!(o)), "{case}");
                if request.origin == Some("https://app.example") {
                    assert_eq!(allow.as_deref(), Some("https://app.example"), "{case}");
                }
            }
            Some(code) => {
                assert_eq!(
                    body["errors"][0]["extensions"]["code"], code,
                    "{case}: {body}"
                );
                assert!(body.get("data").is_none(), "{case}: {body}");
                assert_eq!(
                    over_graphql["errors"][0]["extensions"]["code"], code,
                    "{case}: the same refusal over GraphQL: {over_graphql}"
                );
            }
        }
    }
    // The secret key's backend calls are used up: its next is limited before anything else.
    let limited = Ask {
        publishable_key: None,
        client: None,
        secret_key: Some(&server.secret_key),
        ..ask()
    };
    let (status, retry_after, _, body) = limited.endpoint(&server).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    let seconds: u64 = retry_after.expect("Retry-After").parse().unwrap();
    assert!(seconds > 0);
    assert_eq!(
        body["errors"][0]["extensions"]["retryAfter"].as_u64(),
        Some(seconds)
    );
    // An origin the instance does not allow is refused, and gets no token.
    let (status, _, allow, body) = Ask {
        origin: Some("https://evil.example"),
        ..ask()
    }
    .endpoint(&server)
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    assert_eq!(allow, None);
    server.stop().await;
}

#[tokio::test]
async fn the_token_endpoint_takes_the_client_cookie_an_empty_body_or_a_json_object() {
    let server = TestServer::spawn().await;
    let (frontend, session) = Frontend::signed_up(
        &server.url,
        &server.publishable_key,
        "cookie+latchkey_test@example.com",
        "a sturdy passphrase",
    )
    .await;
    let url = format!("{}/v1/client/sessions/{session}/tokens", server.url);
    let post = || {
        reqwest::Client::new()
            .post(&url)
            .header("Latchkey-Publishable-Key", &server.publishable_key)
            .header(
                "Cookie",
                format!(
                    "__client_{}={}",
                    server.instance_id,
                    frontend.token.as_deref().unwrap()
                ),
            )
    };
    for (what, request) in [
        ("no body", post()),
        (
            "an empty object",
            post().header("Content-Type", "application/json").body("{}"),
        ),
        (
            "an object with options",
            post()
                .header("Content-Type", "application/json")
                .body("{\"later\": true}"),
        ),
    ] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200, "{what}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{what}");
        let body: Value = response.json().await.unwrap();
        assert!(body["jwt"].as_str().unwrap().starts_with("eyJ"), "{what}");
    }
    for (what, request, status) in [
        (
            "an array",
            post().header("Content-Type", "application/json").body("[]"),
            400,
        ),
        (
            "not JSON",
            post().header("Content-Type", "application/json").body("{"),
            400,
        ),
        (
            "a form",
            post()
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body("a=b"),
            415,
        ),
        (
            "too large",
            post()
                .header("Content-Type", "application/json")
                .body(format!("{{\"a\": \"{}\"}}", "x".repeat(2 * 1024 * 1024))),
            413,
        ),
    ] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), status, "{what}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "VALIDATION_FAILED",
            "{what}: {body}"
        );
    }
    // Other methods are told which ones it takes; the preflight names them.
    let response = reqwest::Client::new().get(&url).send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST, OPTIONS");
    let response = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, &url)
        .header("Origin", "https://app.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(
        response.headers()["access-control-allow-methods"],
        "POST, OPTIONS"
    );
    server.stop().await;
}
