// The claims of a Latchkey session token and the checks made on them once the signature holds:
// the same rules, in the same order, as the Rust verifier (`latchkey-verify`'s `claims.rs`).

/** The reason a token was refused: the spelling of `latchkey-verify` and of `verifyToken`. */
export type RejectionReason =
  | "token-expired"
  | "token-not-active-yet"
  | "token-invalid-signature"
  | "token-invalid-issuer"
  | "token-invalid-azp"
  | "token-malformed"
  | "jwks-unavailable";

/** A refused token, carrying its reason. */
export class Rejection extends Error {
  /** The machine-readable reason. */
  readonly reason: RejectionReason;

  constructor(reason: RejectionReason) {
    super(reason);
    this.name = "Rejection";
    this.reason = reason;
  }
}

/** The version (`v`) of a session token's claims. */
export const SESSION_TOKEN_VERSION = 2;
/** The most clock skew ever allowed, in seconds (also the default). */
export const MAX_CLOCK_SKEW_SECONDS = 5;

/**
 * The JOSE algorithms a token header may name at all (those `latchkey-verify`'s JWT library
 * parses): any other, `none` included, makes the token malformed, before any key is looked up.
 */
export const JOSE_ALGORITHMS: ReadonlySet<string> = new Set([
  "HS256",
  "HS384",
  "HS512",
  "ES256",
  "ES384",
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "EdDSA",
]);
/** The largest token looked at; anything longer is malformed without parsing. */
export const MAX_TOKEN_BYTES = 16 * 1024;

/** The active organization of a session (the `o` claim: `{id, slg, rol, per}`), as read. */
export interface OrganizationClaim {
  /** The organization's id. */
  id: string;
  /** Its slug, when carried. */
  slug: string | null;
  /** The user's role in it, without the `org:` prefix (`admin`), when carried. */
  role: string | null;
  /** The user's custom permissions, without the `org:` prefix (`invoices:read`). */
  permissions: string[];
}

/** The verified claims of a session token (times in seconds since the Unix epoch). */
export interface SessionClaims {
  iss: string;
  sub: string;
  sid: string;
  iat: number;
  nbf: number;
  exp: number;
  azp?: string;
  jti?: string;
  v: number;
  /** Minutes since the first and the second factor were verified (`-1`: never). */
  fva?: [number, number];
  /** The active organization, raw. */
  o?: Record<string, unknown>;
  [claim: string]: unknown;
}

const decoder = new TextDecoder();

/** Decodes one base64url segment of a JWT into JSON; a `Rejection("token-malformed")` otherwise. */
export function decodeSegment(segment: string): unknown {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) throw new Rejection("token-malformed");
  try {
    const base64 = segment.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return JSON.parse(decoder.decode(bytes)) as unknown;
  } catch {
    throw new Rejection("token-malformed");
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const isInteger = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value);

const optional = (value: unknown, check: (value: unknown) => boolean): boolean =>
  value === undefined || value === null || check(value);

/**
 * The `o` claim as the server writes it (`OrganizationClaim::to_json`) and as `latchkey-verify`
 * reads it: `per` a list or one comma-separated string. `null` when the claim is not an
 * organization.
 */
export function readOrganizationClaim(value: unknown): OrganizationClaim | null {
  if (!isObject(value) || typeof value.id !== "string") return null;
  const text = (v: unknown) => (typeof v === "string" ? v : null);
  const per = value.per;
  const permissions = Array.isArray(per)
    ? per.filter((p): p is string => typeof p === "string")
    : typeof per === "string"
      ? per
          .split(",")
          .map((p) => p.trim())
          .filter((p) => p !== "")
      : [];
  return { id: value.id, slug: text(value.slg), role: text(value.rol), permissions };
}

/** Claims with the types a session token requires (`latchkey-verify`'s `Claims`), else malformed. */
export function parseClaims(payload: unknown): SessionClaims {
  if (!isObject(payload)) throw new Rejection("token-malformed");
  const p = payload;
  const typed =
    typeof p.iss === "string" &&
    typeof p.sub === "string" &&
    typeof p.sid === "string" &&
    isInteger(p.iat) &&
    isInteger(p.nbf) &&
    isInteger(p.exp) &&
    isInteger(p.v) &&
    p.v >= 0 &&
    optional(p.azp, (v) => typeof v === "string") &&
    optional(p.jti, (v) => typeof v === "string") &&
    optional(p.o, (v) => readOrganizationClaim(v) !== null) &&
    optional(p.fva, (v) => Array.isArray(v) && v.length === 2 && v.every(isInteger));
  if (!typed) throw new Rejection("token-malformed");
  const claims = { ...p } as SessionClaims;
  // `null` reads as absent, as serde's `Option` does.
  for (const name of ["azp", "jti", "o", "fva"] as const) {
    if (claims[name] === null) delete claims[name];
  }
  return claims;
}

/** What verified claims are checked against. */
export interface Expectations {
  issuer: string;
  clockSkewInSec: number;
  /** Seconds since the Unix epoch. */
  now: number;
  authorizedParties: readonly string[];
}

/**
 * The checks on claims whose signature holds: a session token (`v: 2`, subject and session
 * present), the issuer, the time window with at most 5 s of skew, and `azp`.
 */
export function checkClaims(claims: SessionClaims, expect: Expectations): void {
  if (claims.sub === "" || claims.sid === "" || claims.v !== SESSION_TOKEN_VERSION) {
    throw new Rejection("token-malformed");
  }
  if (claims.iss !== expect.issuer) throw new Rejection("token-invalid-issuer");
  // A skew that is not a number (an unset setting read as `Number(undefined)`) is the default,
  // never a window that lets every time through.
  const asked = Number.isFinite(expect.clockSkewInSec)
    ? Math.floor(expect.clockSkewInSec)
    : MAX_CLOCK_SKEW_SECONDS;
  const skew = Math.max(0, Math.min(asked, MAX_CLOCK_SKEW_SECONDS));
  if (!Number.isFinite(expect.now)) throw new Rejection("token-expired");
  if (expect.now >= claims.exp + skew) throw new Rejection("token-expired");
  const lateNow = expect.now + skew;
  if (lateNow < claims.nbf || lateNow < claims.iat) throw new Rejection("token-not-active-yet");
  if (
    expect.authorizedParties.length > 0 &&
    !(claims.azp !== undefined && expect.authorizedParties.includes(claims.azp))
  ) {
    throw new Rejection("token-invalid-azp");
  }
}

const unprefixed = (key: string) => (key.startsWith("org:") ? key.slice(4) : key);

/** What `has()` is asked: a role, a permission, or both (each with or without `org:`). */
export interface HasParams {
  role?: string | null;
  permission?: string | null;
}

/**
 * Clerk's `has()` on an `o` claim, as the server and `latchkey-verify` answer it: each of the
 * role and the permission checked when given; false without an organization or with neither.
 */
export function organizationHas(org: OrganizationClaim | null, params: HasParams): boolean {
  const role = params.role ?? null;
  const permission = params.permission ?? null;
  if (role === null && permission === null) return false;
  if (org === null) return false;
  const roleOk =
    role === null ||
    (org.role !== null && org.role !== "" && unprefixed(org.role) === unprefixed(role));
  const wanted = permission === null ? null : unprefixed(permission);
  const permissionOk =
    wanted === null || (wanted !== "" && org.permissions.some((p) => unprefixed(p) === wanted));
  return roleOk && permissionOk;
}

/** A key with the `org:` prefix, as the API spells roles and permissions. */
export const prefixed = (key: string): string => `org:${unprefixed(key)}`;
