import { isLatchkeyError, LatchkeyError } from "../errors";
import type { TabCoordinator, TabMessage } from "./cross-tab";
import { backoff, type CachedToken, cachedToken, type Clock, deadlines } from "./timing";

/** Where tokens come from: the token endpoint. */
export type FetchToken = (
  sessionId: string,
  template: string | undefined,
) => Promise<{ jwt: string; expiresAt: string }>;

/** What the token manager is given. */
export interface TokenManagerOptions {
  clock: Clock;
  fetchToken: FetchToken;
  coordinator: TabCoordinator;
  /** The server says the session is over (`SESSION_NOT_ACTIVE`, `UNAUTHENTICATED`). */
  onSessionEnded(sessionId: string, error: LatchkeyError): void;
  /** The kept session's default token changed (to write the `__session` cookie). */
  onToken(sessionId: string, token: CachedToken): void;
  /** A share of the refresh margin to spread tabs' timers by: `() => Math.random()`. */
  random?: () => number;
}

/** Options of `getToken`. */
export interface GetTokenOptions {
  /** A JWT template's name; the session token itself when left out. */
  template?: string;
  /** Ask the server even when a fresh token is cached. */
  skipCache?: boolean;
}

const ENDED_CODES = new Set(["SESSION_NOT_ACTIVE", "UNAUTHENTICATED"]);

function keyOf(sessionId: string, template: string | undefined): string {
  return template ? `${sessionId}/${template}` : sessionId;
}

/**
 * Session tokens for one browser tab: cached until shortly before expiry, one request in flight
 * per token, and the kept (active) session's token refreshed ahead of expiry in the background.
 * Across tabs, a refresh runs under a lock per token and its result is shared, so the tabs of a
 * browser make about one request per token lifetime between them.
 */
export class TokenManager {
  private readonly cache = new Map<string, CachedToken>();
  private readonly inFlight = new Map<string, Promise<string>>();
  private kept: string | null = null;
  private timer: unknown = undefined;
  private failures = 0;
  private readonly unsubscribe: () => void;
  /** Token requests this tab sent (for tests and benchmarks). */
  requests = 0;

  /** A manager; it hears the other tabs at once. */
  constructor(private readonly options: TokenManagerOptions) {
    this.unsubscribe = options.coordinator.subscribe((message) => this.hear(message));
  }

  /** The cached token of a session (default template), fresh or not. */
  peek(sessionId: string): CachedToken | undefined {
    return this.cache.get(sessionId);
  }

  private fresh(key: string): CachedToken | undefined {
    const token = this.cache.get(key);
    if (token && this.options.clock.now() < deadlines(token).staleAt) return token;
    return undefined;
  }

  /** A session token: the cached one while fresh, else one request shared by every caller. */
  getToken(sessionId: string, options: GetTokenOptions = {}): Promise<string> {
    const key = keyOf(sessionId, options.template);
    const cached = options.skipCache ? undefined : this.fresh(key);
    if (cached) return Promise.resolve(cached.jwt);
    const running = this.inFlight.get(key);
    if (running) return running;
    const request = this.options.coordinator
      .exclusive(`token:${key}`, async () => {
        // Another tab may have refreshed while this one waited for the lock.
        const shared = options.skipCache ? undefined : this.fresh(key);
        return shared ? shared.jwt : this.fetch(sessionId, options.template, key);
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, request);
    return request;
  }

  private async fetch(
    sessionId: string,
    template: string | undefined,
    key: string,
  ): Promise<string> {
    this.requests += 1;
    let answer: { jwt: string; expiresAt: string };
    try {
      answer = await this.options.fetchToken(sessionId, template);
    } catch (error) {
      this.failed(sessionId, key, error);
      throw error;
    }
    const token = cachedToken(answer.jwt, answer.expiresAt, this.options.clock.now());
    this.store(key, token);
    this.options.coordinator.publish({ type: "token", key, ...token });
    return token.jwt;
  }

  private failed(sessionId: string, key: string, error: unknown): void {
    if (isLatchkeyError(error) && ENDED_CODES.has(error.code)) {
      this.forget(sessionId);
      this.options.onSessionEnded(sessionId, error);
    } else if (isLatchkeyError(error) && error.isNetworkError && key === this.kept) {
      // Never a sign-out: try again later, ever more slowly.
      this.schedule(backoff(this.failures));
      this.failures += 1;
    }
  }

  private store(key: string, token: CachedToken): void {
    const current = this.cache.get(key);
    if (current && current.expiresAt >= token.expiresAt) return;
    this.cache.set(key, token);
    if (key === this.kept) {
      this.failures = 0;
      this.options.onToken(key, token);
      this.scheduleFor(token);
    }
  }

  private hear(message: TabMessage): void {
    if (message.type !== "token") return;
    const { jwt, expiresAt, receivedAt } = message;
    this.store(message.key, { jwt, expiresAt, receivedAt });
  }

  private scheduleFor(token: CachedToken): void {
    const { refreshAt, staleAt } = deadlines(token);
    // Spread the tabs a little so one wins the lock and the others find its token.
    const spread = (staleAt - refreshAt) * 0.5 * (this.options.random ?? Math.random)();
    this.schedule(Math.max(0, refreshAt + spread - this.options.clock.now()));
  }

  private schedule(delay: number): void {
    const { clock } = this.options;
    if (this.timer !== undefined) clock.clearTimeout(this.timer);
    this.timer = clock.setTimeout(() => {
      this.timer = undefined;
      this.refreshKept();
    }, delay);
  }

  /** Refreshes the kept session's token now if its refresh is due (focus, visibility, timer). */
  refreshKept(): void {
    const kept = this.kept;
    if (kept === null) return;
    const token = this.cache.get(kept);
    if (token && this.options.clock.now() < deadlines(token).refreshAt) {
      this.scheduleFor(token);
      return;
    }
    const running = this.inFlight.get(kept);
    if (running) return;
    const request = this.options.coordinator
      .exclusive(`token:${kept}`, async () => {
        const shared = this.cache.get(kept);
        if (shared && this.options.clock.now() < deadlines(shared).refreshAt) return shared.jwt;
        return this.fetch(kept, undefined, kept);
      })
      .finally(() => this.inFlight.delete(kept));
    this.inFlight.set(kept, request);
    // Failures were handled in fetch (retry or sign-out); nobody awaits this one.
    request.catch(() => undefined);
  }

  /**
   * Keeps `sessionId`'s token fresh in the background (the active session), or none. A token
   * cached already is handed to `onToken` at once (the cookie follows the active session).
   */
  keep(sessionId: string | null): void {
    if (this.kept === sessionId) return;
    this.kept = sessionId;
    this.failures = 0;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (sessionId === null) return;
    const token = this.fresh(sessionId);
    if (token) {
      this.options.onToken(sessionId, token);
      this.scheduleFor(token);
    } else {
      this.refreshKept();
    }
  }

  /** Drops a session's tokens (signed out, ended). */
  forget(sessionId: string): void {
    for (const key of [...this.cache.keys()]) {
      if (key === sessionId || key.startsWith(`${sessionId}/`)) this.cache.delete(key);
    }
    if (this.kept === sessionId) this.keep(null);
  }

  /** Stops the timer and the other tabs' messages. */
  close(): void {
    this.keep(null);
    this.unsubscribe();
  }
}
