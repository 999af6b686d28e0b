//! A frontend as a browser is one: it sends the publishable key, keeps the client token the
//! server hands out, and sends it back with every request.

use serde_json::Value;

use crate::gql::{self, Auth, Response};

/// One frontend client of one instance.
#[derive(Clone, Debug)]
pub struct Frontend {
    pub url: String,
    pub publishable_key: String,
    pub token: Option<String>,
}

impl Frontend {
    /// A frontend with no client yet.
    pub fn new(url: &str, publishable_key: &str) -> Self {
        Self {
            url: url.to_owned(),
            publishable_key: publishable_key.to_owned(),
            token: None,
        }
    }

    /// A new client of the instance of `publishable_key` with `email` signed up (a development
    /// test address) and its session active; gives the client and the session's id.
    pub async fn signed_up(
        url: &str,
        publishable_key: &str,
        email: &str,
        password: &str,
    ) -> (Self, String) {
        let mut frontend = Self::new(url, publishable_key);
        frontend.complete_test_sign_up(email, password).await;
        let client = frontend
            .gql("{ client { lastActiveSessionId } }", serde_json::json!({}))
            .await;
        let session = client.data()["client"]["lastActiveSessionId"]
            .as_str()
            .expect("a signed-up client has an active session")
            .to_owned();
        (frontend, session)
    }

    /// A session token (JWT) for `session`, failing the test when none is given.
    pub async fn session_jwt(&mut self, session: &str) -> String {
        let answer = self
            .gql(
                "mutation($s: ID!) { createSessionToken(sessionId: $s) { jwt } }",
                serde_json::json!({"s": session}),
            )
            .await;
        answer.data()["createSessionToken"]["jwt"]
            .as_str()
            .expect("a session token")
            .to_owned()
    }

    /// Posts an operation; keeps a client token handed out.
    pub async fn gql(&mut self, query: &str, variables: Value) -> Response {
        let response = self.post(query, variables).await;
        if let Some(token) = response.client_token() {
            self.token = Some(token);
        }
        response
    }

    /// Signs up `email` with `password` and completes it. The address must be a development test
    /// address (`…+latchkey_test@…`), whose code is `424242`.
    pub async fn complete_test_sign_up(&mut self, email: &str, password: &str) {
        self.gql(
            "mutation($e: String!, $p: String!) { createSignUp(input: {emailAddress: $e, password: $p}) { id } }",
            serde_json::json!({"e": email, "p": password}),
        )
        .await
        .data();
        self.gql(
            "mutation { prepareSignUpVerification(strategy: EMAIL_CODE) { id } }",
            serde_json::json!({}),
        )
        .await
        .data();
        let done = self
            .gql(
                "mutation { attemptSignUpVerification(code: \"424242\") { status } }",
                serde_json::json!({}),
            )
            .await;
        assert_eq!(
            done.data()["attemptSignUpVerification"]["status"],
            "COMPLETE"
        );
    }

    /// Posts an operation without keeping anything (for requests sent together).
    pub async fn post(&self, query: &str, variables: Value) -> Response {
        let auth = match &self.token {
            Some(token) => Auth::Client(&self.publishable_key, token),
            None => Auth::Publishable(&self.publishable_key),
        };
        gql::post(&self.url, auth, query, variables).await
    }
}
