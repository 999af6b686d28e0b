// `authenticateRequest`: the session token of a Fetch API `Request` or a Node `IncomingMessage`
// (its `Authorization: Bearer` or its `__session` cookie), verified with no call to Latchkey per
// request — from the instance's JWKS, fetched through `apiUrl` and cached, or from a PEM
// `jwtKey` — by the rules of `latchkey-verify` and with the same reasons.
import { compactVerify, errors } from "jose";
import {
  JOSE_ALGORITHMS,
  MAX_CLOCK_SKEW_SECONDS,
  MAX_TOKEN_BYTES,
  Rejection,
  type HasParams,
  type OrganizationClaim,
  type RejectionReason,
  type SessionClaims,
  checkClaims,
  decodeSegment,
  organizationHas,
  parseClaims,
  prefixed,
  readOrganizationClaim,
} from "./claims";
import { ConfigurationError, JwksCache, type VerificationKey, importPemKey } from "./jwks";

/** The cookie a browser carries the session token in, on the app's own host. */
export const SESSION_COOKIE = "__session";

/** How `authenticateRequest` checks a request. */
export interface AuthenticateRequestOptions {
  /**
   * The instance's issuer, `{publicUrl}/i/{instanceId}` (from `environment { issuer }` or
   * `instance { issuer }`): tokens must name exactly it, and the instance id is read from it —
   * never from a token.
   */
  issuer: string;
  /** The URL this server reaches Latchkey at; the JWKS is fetched through it. */
  apiUrl: string;
  /** Origins a token's `azp` must be one of; any `azp` (or none) when empty or left out. */
  authorizedParties?: string[];
  /** The instance's public key as PEM: tokens are then verified with no network at all. */
  jwtKey?: string;
  /** The clock skew allowed, in seconds; at most (and by default) 5. */
  clockSkewInSec?: number;
  /** The current time in seconds since the Unix epoch (for tests; the system clock by default). */
  now?: () => number;
  /** The key cache to use (for tests; one shared per JWKS URL by default). */
  jwksCache?: JwksCache;
}

/** Why a request is signed out: a token's rejection, or `token-missing`. */
export type AuthReason = RejectionReason | "token-missing";

/** What is known of a request's user (Clerk's `toAuth()`). */
export interface Auth {
  /** The user's id (`sub`), or `null` when signed out. */
  userId: string | null;
  /** The session's id (`sid`). */
  sessionId: string | null;
  /** The active organization's id. */
  orgId: string | null;
  /** The user's role in it, such as `org:admin`. */
  orgRole: string | null;
  /** The active organization's slug. */
  orgSlug: string | null;
  /** The user's custom permissions in it, such as `org:invoices:read` (system ones are not carried). */
  orgPermissions: string[] | null;
  /** Every claim of the verified token. */
  sessionClaims: SessionClaims | null;
  /** Whether the active organization grants the role and the permission, each checked when given. */
  has: (params: HasParams) => boolean;
}

/** The outcome of `authenticateRequest`. */
export interface RequestState {
  isAuthenticated: boolean;
  status: "signed-in" | "signed-out";
  /** Why the request is signed out; `null` when signed in. */
  reason: AuthReason | null;
  tokenType: "session_token" | null;
  /** The token found on the request, verified or not. */
  token: string | null;
  /** Where that token was found: the `Authorization` header or the `__session` cookie. */
  tokenSource: TokenSource | null;
  /** The request's auth object. */
  toAuth: () => Auth;
}

const signedOutAuth: Auth = {
  userId: null,
  sessionId: null,
  orgId: null,
  orgRole: null,
  orgSlug: null,
  orgPermissions: null,
  sessionClaims: null,
  has: () => false,
};

/** The cache shared by every call for one JWKS URL. */
const sharedCaches = new Map<string, JwksCache>();
/** PEM keys already imported. */
const pemKeys = new Map<string, Promise<Omit<VerificationKey, "kid">>>();

/**
 * The instance id of an issuer `{publicUrl}/i/{instanceId}` (a trailing `/` dropped); throws a
 * `ConfigurationError` for anything else (a configuration mistake, not a request's).
 */
export function instanceIdOf(issuer: string): string {
  const match = /\/i\/([A-Za-z0-9_-]+)$/.exec(new URL(issuer.replace(/\/+$/, "")).pathname);
  if (!match?.[1])
    throw new ConfigurationError(`the issuer ${issuer} is not {publicUrl}/i/{instanceId}`);
  return match[1];
}

/** The URL of the instance's JWKS as reached through `apiUrl`. */
export function jwksUrlOf(apiUrl: string, issuer: string): string {
  return `${apiUrl.replace(/\/+$/, "")}/i/${instanceIdOf(issuer)}/.well-known/jwks.json`;
}

/** The cache shared by every `authenticateRequest` that reads the JWKS at `url`. */
export function sharedJwksCache(url: string): JwksCache {
  let cache = sharedCaches.get(url);
  if (!cache) {
    cache = new JwksCache(url);
    sharedCaches.set(url, cache);
  }
  return cache;
}

function cookie(header: string | null, name: string): string | null {
  for (const part of header?.split(";") ?? []) {
    const at = part.indexOf("=");
    if (at >= 0 && part.slice(0, at).trim() === name) {
      const value = part.slice(at + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
  }
  return null;
}

/**
 * A Node `IncomingMessage` (Express's `req`), read structurally so that this package needs no
 * Node types: its lower-cased `headers` and its `method`.
 */
export interface NodeRequestLike {
  method?: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A request `authenticateRequest` reads: a Fetch API `Request` or a Node `IncomingMessage`. */
export type AuthenticatableRequest = Request | NodeRequestLike;

function isFetchRequest(request: AuthenticatableRequest): request is Request {
  return typeof (request.headers as { get?: unknown }).get === "function";
}

/**
 * A header of a Fetch `Request` or a Node `IncomingMessage`, `null` when absent. Repeated Node
 * headers are joined as `fetch` joins them (`; ` for `cookie`, `, ` for the rest).
 */
export function requestHeader(request: AuthenticatableRequest, name: string): string | null {
  const lower = name.toLowerCase();
  if (isFetchRequest(request)) return request.headers.get(lower);
  const value = (request as NodeRequestLike).headers[lower];
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.join(lower === "cookie" ? "; " : ", ");
  return value;
}

/** A request's method, upper-cased (`GET` when a Node request names none). */
export function requestMethod(request: AuthenticatableRequest): string {
  return (request.method ?? "GET").toUpperCase();
}

/** Where a request's session token was found. */
export type TokenSource = "authorization" | "cookie";

/**
 * The session token a request carries and where: its `Authorization: Bearer` header first, else
 * its `__session` cookie; `null` when neither holds one.
 */
export function requestTokenWithSource(
  request: AuthenticatableRequest,
): { token: string; source: TokenSource } | null {
  const authorization = requestHeader(request, "authorization")?.trim();
  if (authorization) {
    const space = authorization.indexOf(" ");
    if (space > 0 && authorization.slice(0, space).toLowerCase() === "bearer") {
      const token = authorization.slice(space + 1).trim();
      if (token) return { token, source: "authorization" };
    }
  }
  const fromCookie = cookie(requestHeader(request, "cookie"), SESSION_COOKIE);
  return fromCookie ? { token: fromCookie, source: "cookie" } : null;
}

/**
 * The session token a request carries: its `Authorization: Bearer` header first, else its
 * `__session` cookie; `null` when neither holds one.
 */
export function requestToken(request: AuthenticatableRequest): string | null {
  return requestTokenWithSource(request)?.token ?? null;
}

/**
 * Verifies a session token as `latchkey-verify` does, in the same order: its shape, a `kid`,
 * the issuer (before any key is looked up or fetched), the key by `kid`, the header's `alg`
 * equal to the key's (so `none` and algorithm swaps fail), the signature, then the claims.
 * Resolves to the claims, or rejects with a {@link Rejection}.
 */
export async function verifySessionToken(
  token: string,
  options: AuthenticateRequestOptions,
): Promise<SessionClaims> {
  const issuer = options.issuer.replace(/\/+$/, "");
  const parts = token.split(".");
  if (token.length > MAX_TOKEN_BYTES || parts.length !== 3) throw new Rejection("token-malformed");
  const header = decodeSegment(parts[0] ?? "");
  if (typeof header !== "object" || header === null) throw new Rejection("token-malformed");
  const { kid, alg } = header as { kid?: unknown; alg?: unknown };
  if (typeof kid !== "string" || typeof alg !== "string" || !JOSE_ALGORITHMS.has(alg)) {
    throw new Rejection("token-malformed");
  }
  const peeked = decodeSegment(parts[1] ?? "");
  const iss = (peeked as { iss?: unknown } | null)?.iss;
  if (typeof iss !== "string") throw new Rejection("token-malformed");
  if (iss !== issuer) throw new Rejection("token-invalid-issuer");

  let key: Omit<VerificationKey, "kid">;
  if (options.jwtKey !== undefined) {
    const pem = options.jwtKey;
    let imported = pemKeys.get(pem);
    if (!imported) {
      imported = importPemKey(pem);
      pemKeys.set(pem, imported);
      imported.catch(() => pemKeys.delete(pem));
    }
    key = await imported;
  } else {
    const cache = options.jwksCache ?? sharedJwksCache(jwksUrlOf(options.apiUrl, issuer));
    key = await cache.key(kid);
  }
  if (alg !== key.alg) throw new Rejection("token-invalid-signature");

  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(token, key.key, { algorithms: [key.alg] }));
  } catch (error) {
    if (
      error instanceof errors.JWSSignatureVerificationFailed ||
      error instanceof errors.JOSEAlgNotAllowed
    ) {
      throw new Rejection("token-invalid-signature");
    }
    throw new Rejection("token-malformed");
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    throw new Rejection("token-malformed");
  }
  const claims = parseClaims(json);
  checkClaims(claims, {
    issuer,
    clockSkewInSec: options.clockSkewInSec ?? MAX_CLOCK_SKEW_SECONDS,
    now: options.now ? options.now() : Math.floor(Date.now() / 1000),
    authorizedParties: options.authorizedParties ?? [],
  });
  return claims;
}

/** The `toAuth()` object of verified claims. */
export function authFromClaims(claims: SessionClaims): Auth {
  const org: OrganizationClaim | null =
    claims.o === undefined ? null : readOrganizationClaim(claims.o);
  return {
    userId: claims.sub,
    sessionId: claims.sid,
    orgId: org?.id ?? null,
    orgRole: org?.role ? prefixed(org.role) : null,
    orgSlug: org?.slug ?? null,
    orgPermissions: org ? org.permissions.map(prefixed) : null,
    sessionClaims: claims,
    has: (params) => organizationHas(org, params),
  };
}

/** A signed-out state for `reason`. */
function signedOut(
  reason: AuthReason,
  found: { token: string; source: TokenSource } | null,
): RequestState {
  return {
    isAuthenticated: false,
    status: "signed-out",
    reason,
    tokenType: null,
    token: found?.token ?? null,
    tokenSource: found?.source ?? null,
    toAuth: () => signedOutAuth,
  };
}

/**
 * Authenticates a Fetch API `Request` or a Node `IncomingMessage` (Express's `req`) by its
 * session token, with no call to Latchkey beyond the (cached) JWKS. Never throws for a request's token or an unreachable JWKS: a refused token, a
 * missing one, or keys that cannot be fetched (and are not cached) answer signed out with the
 * reason (`jwks-unavailable` for the last).
 */
export async function authenticateRequest(
  request: AuthenticatableRequest,
  options: AuthenticateRequestOptions,
): Promise<RequestState> {
  // A malformed issuer is the configuration's mistake, not the request's: thrown at once.
  instanceIdOf(options.issuer);
  const found = requestTokenWithSource(request);
  if (found === null) return signedOut("token-missing", null);
  const { token } = found;
  let claims: SessionClaims;
  try {
    claims = await verifySessionToken(token, options);
  } catch (error) {
    if (error instanceof Rejection) return signedOut(error.reason, found);
    // So is a `jwtKey` that is no public key.
    if (error instanceof ConfigurationError) throw error;
    // Anything else fails closed.
    return signedOut("token-malformed", found);
  }
  const auth = authFromClaims(claims);
  return {
    isAuthenticated: true,
    status: "signed-in",
    reason: null,
    tokenType: "session_token",
    token,
    tokenSource: found.source,
    toAuth: () => auth,
  };
}
