// The instance's public keys: fetched from its JWKS, cached in memory, fetched again when old or
// when a token names a key not seen yet — the rules of `latchkey-verify`'s `jwks.rs`:
// - keys are kept for a time to live (5 minutes by default), then fetched again;
// - an unknown `kid` fetches the set again, at most once per 5 s (made-up `kid`s cannot make
//   this hammer the server);
// - one fetch at a time: callers that need keys while a fetch is in flight wait for it;
// - a failed fetch keeps the keys held, and no fetch is tried again for 5 s.
import { importJWK, importSPKI, type JWK } from "jose";
import { Rejection } from "./claims";

/** How long fetched keys are used before the set is fetched again, by default (ms). */
export const DEFAULT_KEYS_TTL_MS = 5 * 60 * 1000;
/** The least time between two fetches made for an unknown `kid`, and after a failed fetch (ms). */
export const MIN_REFETCH_INTERVAL_MS = 5 * 1000;
/** How long a fetch of the key set may take (ms). */
export const FETCH_TIMEOUT_MS = 5 * 1000;
/** The largest key set read; a longer answer is a failed fetch. */
export const MAX_JWKS_BYTES = 256 * 1024;

/** A key usable by jose's verification. */
type KeyLike = Awaited<ReturnType<typeof importJWK>>;

/** A public key a token may be signed with, and the one algorithm it verifies. */
export interface VerificationKey {
  kid: string;
  alg: string;
  key: KeyLike;
}

/** How a {@link JwksCache} is set up. */
export interface JwksCacheOptions {
  /** How long fetched keys are used (ms, 5 minutes by default). */
  ttlMs?: number;
  /** The monotonic clock in ms (`performance.now` by default): tests move their own. */
  clock?: () => number;
  /** The `fetch` used (the global one by default). */
  fetch?: typeof fetch;
}

/** The algorithms a published key may have, each with the key type and curve it must be. */
const FITS: Record<string, (jwk: Record<string, unknown>) => boolean> = {
  ES256: (k) => k.kty === "EC" && k.crv === "P-256",
  ES384: (k) => k.kty === "EC" && k.crv === "P-384",
  EdDSA: (k) => k.kty === "OKP" && k.crv === "Ed25519",
  RS256: (k) => k.kty === "RSA",
  RS384: (k) => k.kty === "RSA",
  RS512: (k) => k.kty === "RSA",
  PS256: (k) => k.kty === "RSA",
  PS384: (k) => k.kty === "RSA",
  PS512: (k) => k.kty === "RSA",
};

/**
 * The usable keys of a JWKS document. A key without `kid` or `alg`, not for signatures, of a
 * symmetric algorithm, or whose type does not fit its algorithm is skipped.
 */
export async function parseKeySet(body: unknown): Promise<VerificationKey[]> {
  if (
    typeof body !== "object" ||
    body === null ||
    !Array.isArray((body as { keys?: unknown }).keys)
  )
    throw new Error("not a key set");
  const keys: VerificationKey[] = [];
  for (const value of (body as { keys: unknown[] }).keys) {
    if (typeof value !== "object" || value === null) continue;
    const jwk = value as Record<string, unknown>;
    const { kid, alg } = jwk;
    if (typeof kid !== "string" || typeof alg !== "string") continue;
    if (jwk.use !== undefined && jwk.use !== "sig") continue;
    const fits = FITS[alg];
    if (!fits?.(jwk)) continue;
    try {
      keys.push({ kid, alg, key: await importJWK(jwk as JWK, alg) });
    } catch {
      // An unusable key is skipped, as latchkey-verify does.
    }
  }
  return keys;
}

/** The cached key set of one JWKS URL. Share one per URL: it holds the keys. */
export class JwksCache {
  readonly url: string;
  private readonly ttlMs: number;
  private readonly clock: () => number;
  private readonly fetcher: typeof fetch;
  private keys: VerificationKey[] = [];
  private fetchedAt: number | undefined;
  private failedAt: number | undefined;
  private missFetchedAt: number | undefined;
  private inflight: Promise<void> | undefined;
  /** How many fetches were made (successful or not): for tests and measurements. */
  fetchCount = 0;

  constructor(url: string, options: JwksCacheOptions = {}) {
    this.url = url;
    this.ttlMs = options.ttlMs ?? DEFAULT_KEYS_TTL_MS;
    this.clock = options.clock ?? (() => performance.now());
    this.fetcher = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /**
   * The key named `kid`, fetching the set when it is old, or when `kid` is unknown and no such
   * fetch was made in the last 5 s. Refuses with `jwks-unavailable` when the key is not held and
   * the last fetch failed, else `token-invalid-signature` for an unknown key. Never throws
   * anything else.
   */
  async key(kid: string): Promise<VerificationKey> {
    const now = this.clock();
    const recent = (at: number | undefined, within: number) =>
      at !== undefined && now - at < within;
    const fresh = recent(this.fetchedAt, this.ttlMs);
    const miss = fresh && !this.find(kid);
    const fetchNow =
      !recent(this.failedAt, MIN_REFETCH_INTERVAL_MS) &&
      (!fresh || (miss && !recent(this.missFetchedAt, MIN_REFETCH_INTERVAL_MS)));
    if (fetchNow) {
      // One fetch at a time: a caller arriving during a fetch uses its result.
      this.inflight ??= this.refresh(miss).finally(() => (this.inflight = undefined));
      await this.inflight;
    } else if (this.inflight) {
      await this.inflight;
    }
    const key = this.find(kid);
    if (key) return key;
    if (this.failedAt !== undefined) throw new Rejection("jwks-unavailable");
    throw new Rejection("token-invalid-signature");
  }

  private find(kid: string): VerificationKey | undefined {
    return this.keys.find((key) => key.kid === kid);
  }

  private async refresh(miss: boolean): Promise<void> {
    this.fetchCount += 1;
    let keys: VerificationKey[] | undefined;
    try {
      keys = await this.fetchKeys();
    } catch {
      keys = undefined;
    }
    const now = this.clock();
    if (miss) this.missFetchedAt = now;
    if (keys) {
      this.keys = keys;
      this.fetchedAt = now;
      this.failedAt = undefined;
    } else {
      this.failedAt = now;
    }
  }

  private async fetchKeys(): Promise<VerificationKey[]> {
    const response = await this.fetcher(this.url, {
      headers: { accept: "application/json" },
      // Keys come only from the configured URL.
      redirect: "error",
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`the key set answered ${response.status}`);
    const length = Number(response.headers.get("content-length") ?? "0");
    if (length > MAX_JWKS_BYTES) throw new Error("the key set is too large");
    const text = await response.text();
    if (text.length > MAX_JWKS_BYTES) throw new Error("the key set is too large");
    return parseKeySet(JSON.parse(text) as unknown);
  }
}

/** A mistake in the options (not in a request): thrown rather than answered signed out. */
export class ConfigurationError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = "ConfigurationError";
  }
}

/** The algorithms a PEM key given as `jwtKey` is tried as, in turn: the server's own first. */
const PEM_ALGORITHMS = ["ES256", "EdDSA", "RS256", "ES384"] as const;

/**
 * A PEM public key (`jwtKey`) as a verification key for any `kid`: its algorithm is found from
 * the key itself (the first of ES256, EdDSA, RS256, ES384 it imports as), never from a token.
 */
export async function importPemKey(pem: string): Promise<Omit<VerificationKey, "kid">> {
  for (const alg of PEM_ALGORITHMS) {
    try {
      return { alg, key: await importSPKI(pem, alg) };
    } catch {
      // not this algorithm's key
    }
  }
  throw new ConfigurationError("jwtKey is not a PEM public key of ES256, EdDSA, RS256 or ES384");
}
