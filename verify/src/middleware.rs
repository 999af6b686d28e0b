//! actix-web integration: [`Authenticate`] checks each request's session token, and handlers
//! take an [`Auth`] (or `Option<Auth>`).
//!
//! ```no_run
//! use std::sync::Arc;
//! use actix_web::{App, HttpResponse, web};
//! use latchkey_verify::{Auth, Authenticate, Verifier};
//!
//! async fn me(auth: Auth) -> HttpResponse {
//!     HttpResponse::Ok().body(auth.user_id)
//! }
//!
//! let verifier = Arc::new(Verifier::new("https://auth.example.com/i/ins_123"));
//! let app = App::new()
//!     .wrap(Authenticate::new(verifier))
//!     .route("/me", web::get().to(me));
//! ```
//!
//! The token is the `Authorization: Bearer …` header's, else the `__session` cookie's. When
//! cookies are accepted from browsers, configure the authorized parties
//! ([`Verifier::with_authorized_parties`]) so that another site's page cannot use them: a request
//! authenticated by the cookie with an unsafe method (not `GET`, `HEAD` or `OPTIONS`) must come
//! from one of them (`Origin`), or say `Sec-Fetch-Site: same-origin`, else it is answered `403`
//! `{"error":"FORBIDDEN","reason":"cross-site-request"}`: `SameSite=Lax` alone lets a sibling
//! subdomain of the same site through. The same rule as `@latchkey/express`.

use std::future::{Ready, ready};
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::EitherBody;
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use futures_util::future::LocalBoxFuture;

use crate::{Claims, Rejection, Verifier};

/// The cookie a browser sends its session token in.
pub const SESSION_COOKIE: &str = "__session";
/// The reason given when a request carries no token.
pub const MISSING_REASON: &str = "token-missing";

/// The signed-in user of a request with a valid session token.
///
/// As an extractor it answers `401` when the request has none; take `Option<Auth>` for routes
/// open to anyone. It is only ever present behind [`Authenticate`].
#[derive(Clone, Debug, PartialEq)]
pub struct Auth {
    /// The user's id (`sub`).
    pub user_id: String,
    /// The session's id (`sid`).
    pub session_id: String,
    /// Every verified claim.
    pub claims: Claims,
}

impl Auth {
    /// The id of the session's active organization, when there is one.
    pub fn org_id(&self) -> Option<&str> {
        self.claims.org.as_ref().map(|org| org.id.as_str())
    }

    /// Whether the active organization grants `role` and `permission` (see [`Claims::has`]).
    pub fn has(&self, role: Option<&str>, permission: Option<&str>) -> bool {
        self.claims.has(role, permission)
    }
}

impl From<Claims> for Auth {
    fn from(claims: Claims) -> Self {
        Self {
            user_id: claims.sub.clone(),
            session_id: claims.sid.clone(),
            claims,
        }
    }
}

/// Why a request has no [`Auth`]: the reason of its `401`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Refused(&'static str);

impl FromRequest for Auth {
    type Error = Unauthenticated;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let extensions = req.extensions();
        ready(match extensions.get::<Auth>() {
            Some(auth) => Ok(auth.clone()),
            None => Err(Unauthenticated {
                reason: extensions
                    .get::<Refused>()
                    .map_or(MISSING_REASON, |refused| refused.0),
            }),
        })
    }
}

/// A request without a valid session token: `401` with
/// `{"error":"UNAUTHENTICATED","reason":"token-expired"}` (the reason is a
/// [`Rejection::reason`], or `token-missing`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unauthenticated: {reason}")]
pub struct Unauthenticated {
    /// Why.
    pub reason: &'static str,
}

impl From<Rejection> for Unauthenticated {
    fn from(rejection: Rejection) -> Self {
        Self {
            reason: rejection.reason(),
        }
    }
}

impl ResponseError for Unauthenticated {
    fn status_code(&self) -> StatusCode {
        StatusCode::UNAUTHORIZED
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::Unauthorized()
            .insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")))
            .json(serde_json::json!({"error": "UNAUTHENTICATED", "reason": self.reason}))
    }
}

/// Middleware that verifies each request's session token and, when it is valid, puts an
/// [`Auth`] in the request's extensions.
///
/// By default a request without a valid token still reaches its handler (which can take
/// `Option<Auth>`, or `Auth` to answer `401`); [`Authenticate::required`] answers `401` itself.
#[derive(Clone, Debug)]
pub struct Authenticate {
    verifier: Arc<Verifier>,
    required: bool,
}

impl Authenticate {
    /// Verifies tokens with `verifier`; requests without a valid one pass on, without [`Auth`].
    pub fn new(verifier: Arc<Verifier>) -> Self {
        Self {
            verifier,
            required: false,
        }
    }

    /// Requests without a valid token are answered `401` and never reach a handler.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
}

impl<S, B> Transform<S, ServiceRequest> for Authenticate
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = AuthenticateMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(AuthenticateMiddleware {
            service: Rc::new(service),
            verifier: Arc::clone(&self.verifier),
            required: self.required,
        }))
    }
}

/// The service [`Authenticate`] wraps around the next one.
pub struct AuthenticateMiddleware<S> {
    service: Rc<S>,
    verifier: Arc<Verifier>,
    required: bool,
}

impl<S, B> Service<ServiceRequest> for AuthenticateMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let verifier = Arc::clone(&self.verifier);
        let required = self.required;
        Box::pin(async move {
            let found = token_of(req.request());
            let by_cookie = matches!(found, Some((_, Source::Cookie)));
            let outcome = match found {
                None => Err(MISSING_REASON),
                Some((token, _)) => verifier
                    .verify(&token)
                    .await
                    .map(Auth::from)
                    .map_err(Rejection::reason),
            };
            match outcome {
                Ok(_) if by_cookie && !same_origin_or_safe(req.request(), &verifier) => {
                    tracing::debug!(path = req.path(), "cross-site request refused");
                    let response = HttpResponse::Forbidden().json(
                        serde_json::json!({"error": "FORBIDDEN", "reason": "cross-site-request"}),
                    );
                    return Ok(req.into_response(response).map_into_right_body());
                }
                Ok(auth) => {
                    req.extensions_mut().insert(auth);
                }
                Err(reason) if required => {
                    tracing::debug!(reason, path = req.path(), "request refused");
                    let response = Unauthenticated { reason }.error_response();
                    return Ok(req.into_response(response).map_into_right_body());
                }
                Err(reason) => {
                    req.extensions_mut().insert(Refused(reason));
                }
            }
            service
                .call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        })
    }
}

/// Where a request's token came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Header,
    Cookie,
}

/// Whether a request authenticated by the session cookie may go on: a safe method, or an
/// `Origin` among the authorized parties, or `Sec-Fetch-Site: same-origin`.
fn same_origin_or_safe(req: &HttpRequest, verifier: &Verifier) -> bool {
    let method = req.method();
    if method == actix_web::http::Method::GET
        || method == actix_web::http::Method::HEAD
        || method == actix_web::http::Method::OPTIONS
    {
        return true;
    }
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let from_party = header("origin").is_some_and(|origin| {
        verifier
            .authorized_parties()
            .iter()
            .any(|party| party == origin.trim())
    });
    from_party || header("sec-fetch-site").is_some_and(|s| s.eq_ignore_ascii_case("same-origin"))
}

/// The request's session token: the `Authorization: Bearer …` header's, else the `__session`
/// cookie's.
pub fn request_token(req: &HttpRequest) -> Option<String> {
    token_of(req).map(|(token, _)| token)
}

fn token_of(req: &HttpRequest) -> Option<(String, Source)> {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|token| !token.is_empty());
    if let Some(token) = bearer {
        return Some((token.to_owned(), Source::Header));
    }
    req.cookie(SESSION_COOKIE)
        .map(|cookie| cookie.value().to_owned())
        .filter(|token| !token.is_empty())
        .map(|token| (token, Source::Cookie))
}
