//! `/graphql`: `POST` with a JSON body runs an operation; `GET` serves GraphiQL or upgrades to a
//! WebSocket for subscriptions. Nothing is executed before the content type, the size and the
//! shape of the request are checked, and the caller is resolved.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};
use latchkey_domain::ErrorCode;

use super::request_id::{self, RequestId};
use super::{AppState, assets, body, cors, credentials, transport_error, websocket};
use crate::graphql::guard;
use crate::graphql::request_data::{ClientIp, RequestOrigin};

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// The GraphQL request of a body, read straight into the request (no JSON tree first: this is
/// every request's path). A body that read does not take (an error, no or an empty `query`, a
/// key given twice) is read as before, as a tree first, which also says why it is refused.
fn read_request(body: &[u8]) -> Result<async_graphql::Request, &'static str> {
    // serde would also read a struct from an array: a batch is told apart first.
    let object = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    if object
        && let Ok(request) = serde_json::from_slice::<async_graphql::Request>(body)
        // `query` defaults to empty when it is missing.
        && !request.query.is_empty()
    {
        return Ok(request);
    }
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| "the request body is not valid JSON")?;
    if value.is_array() {
        return Err("batched requests are not supported: send one operation per request");
    }
    if !value.get("query").is_some_and(serde_json::Value::is_string) {
        return Err("a GraphQL request needs a \"query\" string");
    }
    // serde's message would echo the caller's input (which may hold a secret): not shown.
    serde_json::from_value(value).map_err(|_| {
        "not a GraphQL request: expected {\"query\": string, \"variables\"?: object, \"operationName\"?: string}"
    })
}

/// `/graphql`, every method: one route that looks at the method itself. (Routes guarded by
/// method record every method they try in the request's extensions, for a `405`'s `Allow`:
/// allocations on every request, the token refresh's included.)
pub async fn endpoint(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    match *req.method() {
        Method::POST => Ok(post(state, req, payload).await),
        Method::GET => get(state, req, payload).await,
        Method::OPTIONS => Ok(cors::preflight(&req, cors::ALLOWED_METHODS)),
        _ => Ok(method_not_allowed(
            "/graphql takes POST, GET and OPTIONS",
            cors::ALLOWED_METHODS,
        )),
    }
}

/// `405` with the methods that are allowed.
pub(super) fn method_not_allowed(message: &str, allow: &'static str) -> HttpResponse {
    let mut response = transport_error::respond(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::ValidationFailed,
        Some("method"),
        message,
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

/// `POST /graphql`.
async fn post(
    state: web::Data<AppState>,
    req: HttpRequest,
    mut payload: web::Payload,
) -> HttpResponse {
    let request_id = request_id::current().unwrap_or_else(RequestId::random);
    if !req
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(body::is_json)
    {
        return transport_error::respond(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::ValidationFailed,
            Some("Content-Type"),
            "POST /graphql accepts only application/json",
        );
    }
    let body = match body::read(&req, &mut payload, state.max_body_bytes).await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let request = match read_request(&body) {
        Ok(request) => request,
        Err(message) => return body::bad_body(message),
    };
    body::within_budget(
        state.request_timeout,
        &request_id,
        run(&state, &req, request, &request_id),
    )
    .await
}

/// Resolves the caller, checks the origin and the guard, and runs the operation: everything
/// after the body is read, inside the request's time budget.
async fn run(
    state: &AppState,
    req: &HttpRequest,
    request: async_graphql::Request,
    request_id: &RequestId,
) -> HttpResponse {
    let caller = match state
        .platform
        .resolve_caller(credentials::from_request(req))
        .await
    {
        Ok(caller) => caller,
        Err(err) => return transport_error::from_domain(&err, request_id),
    };
    let origin = cors::origin(req);
    let grant = match cors::grant(&state.platform, &caller, origin) {
        Ok(grant) => grant,
        Err(refused) => return *refused,
    };
    let source = state.trusted_proxies.source_of(req);
    let ip = ClientIp(source.ip);
    let prepared = guard::prepare(&state.schemas, &state.platform, caller, ip, request).await;
    let mut response = match prepared {
        Ok(prepared) => {
            let origin = RequestOrigin(origin.map(str::to_owned));
            let response = prepared.data(origin).data(source).execute().await;
            graphql_response(req, response, StatusCode::OK, request_id)
        }
        Err(refusal) => {
            let status = StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::BAD_REQUEST);
            let mut response = graphql_response(req, refusal.response, status, request_id);
            if let Some(seconds) = refusal.retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            response
        }
    };
    cors::apply(&grant, &mut response);
    response
}

/// A GraphQL response as HTTP. With `Accept: application/graphql-response+json`, a request that
/// never ran (it did not parse or validate, or its variables did not fit) is `400` with no `data`
/// entry, as the GraphQL over HTTP specification asks; with `application/json`, `status` (`200`
/// unless the guard refused the request) as ever.
fn graphql_response(
    req: &HttpRequest,
    mut response: async_graphql::Response,
    status: StatusCode,
    request_id: &RequestId,
) -> HttpResponse {
    crate::graphql::complete_codes(&mut response.errors, &request_id.0);
    let request_error = accepts_graphql_response(req) && is_request_error(&response);
    let json = if request_error {
        serde_json::to_vec(&RequestErrors {
            errors: &response.errors,
        })
    } else {
        serde_json::to_vec(&response)
    };
    match json {
        Ok(json) => {
            let mut http = json_response(req);
            http.status(if request_error && status == StatusCode::OK {
                StatusCode::BAD_REQUEST
            } else {
                status
            });
            // Headers set by resolvers: a new client's token and its cookie.
            for (name, value) in &response.http_headers {
                http.append_header((name.as_str(), value.as_bytes()));
            }
            http.body(json)
        }
        Err(err) => {
            transport_error::from_domain(&latchkey_domain::Error::internal(err), request_id)
        }
    }
}

/// The body of a request error: its errors, and no `data`.
#[derive(serde::Serialize)]
struct RequestErrors<'a> {
    errors: &'a [async_graphql::ServerError],
}

/// Whether a response is to a request that never ran: no data, and only errors without a path
/// (an error of a field always has one).
fn is_request_error(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// `200` for a GraphQL response's JSON, in the media type the caller accepts.
fn json_response(req: &HttpRequest) -> actix_web::HttpResponseBuilder {
    let mut http = HttpResponse::Ok();
    http.insert_header((
        header::CONTENT_TYPE,
        HeaderValue::from_static(if accepts_graphql_response(req) {
            GRAPHQL_RESPONSE_JSON
        } else {
            "application/json"
        }),
    ));
    http
}

fn accepts_graphql_response(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| {
            accept
                .split(',')
                .any(|part| part.trim().starts_with(GRAPHQL_RESPONSE_JSON))
        })
}

/// `GET /graphql`: GraphiQL for a browser (served from the binary, see `assets`), a WebSocket
/// for subscriptions. Operations are never
/// run over `GET` (a link must not be able to run a mutation): `405`.
async fn get(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let upgrade = req
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok());
    if upgrade.is_some_and(|v| v.eq_ignore_ascii_case("websocket")) {
        return websocket::start(state, &req, payload);
    }
    if req
        .query_string()
        .split('&')
        .any(|pair| pair == "query" || pair.starts_with("query="))
    {
        return Ok(method_not_allowed(
            "operations are only accepted as POST with application/json",
            "POST",
        ));
    }
    Ok(assets::graphiql_page(&req))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_read_as_one_request_or_refused_with_its_reason() {
        let read = read_request(
            b" \n{\"query\": \"query($s: ID!) { a }\", \"variables\": {\"s\": \"x\"}, \"operationName\": null, \"other\": 1}",
        )
        .unwrap();
        assert_eq!(read.query, "query($s: ID!) { a }");
        assert_eq!(read.variables.len(), 1);
        // As before: an empty query is a GraphQL syntax error later, the last key given wins.
        assert_eq!(read_request(b"{\"query\": \"\"}").unwrap().query, "");
        let twice = read_request(b"{\"query\": \"{ a }\", \"query\": \"{ b }\"}").unwrap();
        assert_eq!(twice.query, "{ b }");
        for (body, why) in [
            (&b"{\"query\": "[..], "not valid JSON"),
            (b"", "not valid JSON"),
            (b"[{\"query\": \"{ a }\"}]", "batched"),
            (b"[\"{ a }\"]", "batched"),
            (b"{\"nope\": 1}", "needs a \"query\""),
            (b"{\"query\": 5}", "needs a \"query\""),
            (b"\"{ a }\"", "needs a \"query\""),
            (
                b"{\"query\": \"{ a }\", \"variables\": 5}",
                "not a GraphQL request",
            ),
        ] {
            let refused = read_request(body).unwrap_err();
            assert!(refused.contains(why), "{body:?}: {refused}");
        }
    }
}
