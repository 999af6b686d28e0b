/** Time as the token logic sees it: injectable, so tests move it by hand. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` after `ms`; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a `setTimeout`. */
  clearTimeout(handle: unknown): void;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A token held in memory, with times on this browser's clock. */
export interface CachedToken {
  jwt: string;
  /** When it stops being accepted, in this browser's milliseconds. */
  expiresAt: number;
  /** When it was received (or, from another tab, when that tab received it). */
  receivedAt: number;
}

/**
 * The token's own lifetime in milliseconds, from its `iat` and `exp` claims (so a browser
 * whose clock is off still refreshes on time), or `undefined` when they cannot be read.
 */
export function lifetimeOf(jwt: string): number | undefined {
  const payload = jwt.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(
      atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), "=")),
    );
    const { iat, exp } = claims as { iat?: unknown; exp?: unknown };
    if (typeof iat === "number" && typeof exp === "number" && exp > iat) return (exp - iat) * 1000;
  } catch {
    // Not a JWT we can read: the server's expiry is used instead.
  }
  return undefined;
}

/**
 * A token as cached, received at `now`: its expiry is `now` plus its lifetime (from its
 * claims), or the server's `expiresAt` when the claims cannot be read.
 */
export function cachedToken(jwt: string, expiresAt: string, now: number): CachedToken {
  const lifetime = lifetimeOf(jwt) ?? Math.max(0, Date.parse(expiresAt) - now);
  return { jwt, expiresAt: now + lifetime, receivedAt: now };
}

/** Most a token is considered stale before it expires (for the default 60 s token: 10 s). */
export const STALE_MARGIN_MS = 10_000;
/** Most ahead of expiry that a refresh is made in the background (60 s token: at 45 s). */
export const REFRESH_MARGIN_MS = 15_000;

/**
 * When a token stops being served from the cache (`staleAt`) and when the background refresh
 * is due (`refreshAt`, earlier). Short-lived tokens scale the margins to their lifetime.
 */
export function deadlines(token: CachedToken): { staleAt: number; refreshAt: number } {
  const lifetime = Math.max(0, token.expiresAt - token.receivedAt);
  return {
    staleAt: token.expiresAt - Math.min(STALE_MARGIN_MS, lifetime / 6),
    refreshAt: token.expiresAt - Math.min(REFRESH_MARGIN_MS, lifetime / 4),
  };
}

/** The wait before retry `attempt` (0-based) after a network failure: 1 s doubling to 30 s. */
export function backoff(attempt: number): number {
  return Math.min(30_000, 1_000 * 2 ** Math.max(0, attempt));
}
