// @latchkey/express: Latchkey for Express. `latchkeyMiddleware` authenticates every request with
// `@latchkey/backend`'s `authenticateRequest` (no call to Latchkey beyond the cached JWKS) and
// refuses cross-site writes made with the `__session` cookie; `getAuth`, `requireAuth` and
// `requirePermission` read what it found.
import {
  type Auth,
  type AuthenticatableRequest,
  type AuthenticateRequestOptions,
  type HasParams,
  type RequestState,
  authenticateRequest,
  requestHeader,
  requestMethod,
} from "@latchkey/backend";
import type { NextFunction, Request, RequestHandler, Response } from "express";

/** How `latchkeyMiddleware` authenticates requests. */
export interface LatchkeyMiddlewareOptions {
  /** The instance's issuer, `{publicUrl}/i/{instanceId}`: tokens must name exactly it. */
  issuer: string;
  /** The URL this server reaches Latchkey at; the JWKS is fetched through it. */
  apiUrl: string;
  /**
   * The app's origins (such as `https://app.example.com`): a token's `azp` must be one of them,
   * and a cookie-authenticated unsafe request's `Origin` too.
   */
  authorizedParties: string[];
  /** The instance's public key as PEM: tokens are then verified with no network at all. */
  jwtKey?: string;
  /** Where `requireAuth` and `requirePermission` send a signed-out browser navigation. */
  signInUrl?: string;
  /** Passed on to `authenticateRequest` (a key cache or a clock, for tests). */
  authenticate?: Pick<AuthenticateRequestOptions, "jwksCache" | "now" | "clockSkewInSec">;
}

/** What the middleware stored for one request. */
interface Stored {
  state: RequestState;
  options: LatchkeyMiddlewareOptions;
}

const stored = new WeakMap<object, Stored>();

/** The methods that change nothing, which a cross-site page may send with the cookie. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The JSON error body of the GraphQL contract: `{"errors":[{message, extensions:{code}}]}`. */
function errorBody(code: string, message: string, extra: Record<string, unknown> = {}) {
  return { errors: [{ message, extensions: { code, ...extra } }] };
}

/**
 * Whether a request authenticated by its `__session` cookie may do what it asks: a safe method
 * (`GET`, `HEAD`, `OPTIONS`), or an `Origin` among `authorizedParties`, or
 * `Sec-Fetch-Site: same-origin`. `SameSite=Lax` is not enough when sibling subdomains share the
 * site, so any other unsafe request is refused. Requests authenticated by the `Authorization`
 * header are not checked: a browser never adds it on its own.
 */
export function crossSiteAllowed(
  request: AuthenticatableRequest,
  authorizedParties: readonly string[],
): boolean {
  if (SAFE_METHODS.has(requestMethod(request))) return true;
  const origin = requestHeader(request, "origin")?.trim();
  if (origin && authorizedParties.includes(origin)) return true;
  return requestHeader(request, "sec-fetch-site")?.trim().toLowerCase() === "same-origin";
}

/**
 * Express middleware that authenticates each request by its session token (the
 * `Authorization: Bearer` header's, else the `__session` cookie's) and stores the outcome for
 * `getAuth`, `requireAuth` and `requirePermission`. Signed-out requests pass on; a
 * cookie-authenticated unsafe request from another origin is answered `403 FORBIDDEN` (see
 * {@link crossSiteAllowed}). A configuration mistake (a malformed issuer or `jwtKey`) is passed
 * to Express's error handling.
 */
export function latchkeyMiddleware(options: LatchkeyMiddlewareOptions): RequestHandler {
  const authenticateOptions: AuthenticateRequestOptions = {
    issuer: options.issuer,
    apiUrl: options.apiUrl,
    authorizedParties: options.authorizedParties,
    ...(options.jwtKey !== undefined ? { jwtKey: options.jwtKey } : {}),
    ...options.authenticate,
  };
  return (req: Request, res: Response, next: NextFunction) => {
    authenticateRequest(req, authenticateOptions).then((state) => {
      if (
        state.isAuthenticated &&
        state.tokenSource === "cookie" &&
        !crossSiteAllowed(req, options.authorizedParties)
      ) {
        res
          .status(403)
          .json(
            errorBody(
              "FORBIDDEN",
              "A request authenticated by its cookie must come from an authorized origin",
              { reason: "cross-site-request" },
            ),
          );
        return;
      }
      stored.set(req, { state, options });
      next();
    }, next);
  };
}

function storedFor(req: Request, caller: string): Stored {
  const found = stored.get(req);
  if (!found) {
    throw new Error(
      `${caller}: latchkeyMiddleware() did not run for this request; add ` +
        "app.use(latchkeyMiddleware({ issuer, apiUrl, authorizedParties })) before this route",
    );
  }
  return found;
}

/**
 * The request's auth object (`toAuth()` of `authenticateRequest`): `userId` is `null` when it is
 * signed out. Throws when `latchkeyMiddleware` did not run for the request.
 */
export function getAuth(req: Request): Auth {
  return storedFor(req, "getAuth").state.toAuth();
}

/**
 * The request's whole outcome of `authenticateRequest` (with `reason` and `tokenSource`). Throws
 * when `latchkeyMiddleware` did not run for the request.
 */
export function getRequestState(req: Request): RequestState {
  return storedFor(req, "getRequestState").state;
}

/** Whether a request is a browser's page navigation: a `GET` for a document or for HTML. */
export function isBrowserNavigation(req: Request): boolean {
  if (requestMethod(req) !== "GET") return false;
  if (requestHeader(req, "sec-fetch-dest")?.trim().toLowerCase() === "document") return true;
  return /\btext\/html\b/i.test(requestHeader(req, "accept") ?? "");
}

/** The request's full URL, as the browser asked for it. */
function fullUrl(req: Request): string {
  return `${req.protocol}://${req.get("host") ?? "localhost"}${req.originalUrl}`;
}

/**
 * Answers a signed-out request: a browser navigation is redirected (`302`) to `signInUrl` with
 * `redirect_url` set to the request's full URL; anything else (or a navigation when there is no
 * `signInUrl`) gets `401` with `UNAUTHENTICATED`, or `503` (`INTERNAL`) when the keys could not
 * be fetched.
 */
function refuseSignedOut(
  req: Request,
  res: Response,
  state: RequestState,
  signInUrl: string | undefined,
) {
  // First: with the keys unreachable nobody is known to be signed out, and sending a signed-in
  // browser to sign-in (which sends it back) would loop for as long as the outage lasts.
  if (state.reason === "jwks-unavailable") {
    res.status(503).json(
      errorBody("INTERNAL", "The session could not be checked; try again", {
        reason: state.reason,
      }),
    );
    return;
  }
  const here = fullUrl(req);
  if (signInUrl && isBrowserNavigation(req)) {
    const target = new URL(signInUrl, here);
    target.searchParams.set("redirect_url", here);
    res.redirect(302, target.toString());
    return;
  }
  res
    .status(401)
    .set("www-authenticate", "Bearer")
    .json(errorBody("UNAUTHENTICATED", "Sign in first", { reason: state.reason }));
}

/** Answers `403` with the contract's `FORBIDDEN` error (a missing role or permission). */
export function forbidden(res: Response, message = "Not allowed"): void {
  res.status(403).json(errorBody("FORBIDDEN", message));
}

/**
 * Middleware that lets only signed-in requests through. A signed-out browser navigation (`GET`
 * with `Accept: text/html` or `Sec-Fetch-Dest: document`) is redirected to `signInUrl` (else the
 * middleware's) with `redirect_url` = the request's URL; any other signed-out request gets `401`
 * JSON with code `UNAUTHENTICATED`. Throws (to Express) when `latchkeyMiddleware` did not run.
 */
export function requireAuth(options: { signInUrl?: string } = {}): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const { state, options: middleware } = storedFor(req, "requireAuth");
    if (state.isAuthenticated) {
      next();
      return;
    }
    refuseSignedOut(req, res, state, options.signInUrl ?? middleware.signInUrl);
  };
}

/**
 * Middleware that lets through only signed-in requests whose active organization grants the
 * role or permission (`has()`), else answers `403 FORBIDDEN`; signed-out requests are answered as
 * by `requireAuth`.
 */
export function requirePermission(
  params: HasParams,
  options: { signInUrl?: string } = {},
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const { state, options: middleware } = storedFor(req, "requirePermission");
    if (!state.isAuthenticated) {
      refuseSignedOut(req, res, state, options.signInUrl ?? middleware.signInUrl);
      return;
    }
    if (!state.toAuth().has(params)) {
      forbidden(res, "The active organization does not grant this role or permission");
      return;
    }
    next();
  };
}

export type { Auth, HasParams, RequestState } from "@latchkey/backend";
