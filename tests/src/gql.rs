//! A small GraphQL-over-HTTP client for tests.

use serde_json::{Value, json};

/// How a request identifies itself.
#[derive(Clone, Copy, Debug)]
pub enum Auth<'a> {
    None,
    Bearer(&'a str),
    Publishable(&'a str),
    /// A frontend with its client token (`Latchkey-Client`).
    Client(&'a str, &'a str),
}

/// A GraphQL response with its HTTP status.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Response {
    /// The `data`, failing the test when the response has errors.
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors (HTTP {}): {}",
            self.status,
            self.body
        );
        &self.body["data"]
    }

    /// The code of the first error, failing the test when there is none.
    pub fn code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| {
                panic!(
                    "expected an error with a code, got (HTTP {}): {}",
                    self.status, self.body
                )
            })
    }

    /// The new client token the server handed out (`Latchkey-Client`), if any.
    pub fn client_token(&self) -> Option<String> {
        self.headers
            .get("latchkey-client")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// The first error's extensions.
    pub fn extensions(&self) -> &Value {
        &self.body["errors"][0]["extensions"]
    }
}

/// Posts an operation to `{base}/graphql`.
pub async fn post(base: &str, auth: Auth<'_>, query: &str, variables: Value) -> Response {
    let client = reqwest::Client::new();
    let mut request = client
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    request = match auth {
        Auth::None => request,
        Auth::Bearer(token) => request.bearer_auth(token),
        Auth::Publishable(key) => request.header("Latchkey-Publishable-Key", key),
        Auth::Client(key, client) => request
            .header("Latchkey-Publishable-Key", key)
            .header("Latchkey-Client", client),
    };
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.expect("a JSON body");
    Response {
        status,
        body,
        headers,
    }
}
