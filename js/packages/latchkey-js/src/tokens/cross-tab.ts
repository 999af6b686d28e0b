/** What the tabs of one browser tell each other about one instance. */
export type TabMessage =
  /** A tab received a token: the others cache it instead of asking for their own. */
  | { type: "token"; key: string; jwt: string; expiresAt: number; receivedAt: number }
  /** A tab learnt that the client changed (sign-in, sign-out, active session): reload it. */
  | { type: "client-changed" };

/**
 * How tabs share tokens and elect which one refreshes: a lock per token (Web Locks) and a
 * message channel (BroadcastChannel). Each part falls back to this tab alone where missing.
 */
export interface TabCoordinator {
  /** Runs `fn` while holding the lock `name` across tabs (or at once, without Web Locks). */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Tells the other tabs. */
  publish(message: TabMessage): void;
  /** Hears the other tabs; returns the way to stop. */
  subscribe(listener: (message: TabMessage) => void): () => void;
  /** Stops hearing and closes the channel. */
  close(): void;
}

/** The part of `navigator.locks` used here. */
export interface LockManagerLike {
  request<T>(name: string, options: { signal?: AbortSignal }, fn: () => Promise<T>): Promise<T>;
}

/** The part of `BroadcastChannel` used here. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  close(): void;
}

/** How long a tab waits for the lock before refreshing on its own (a stuck tab must not block). */
export const LOCK_WAIT_MS = 5_000;

function isTabMessage(data: unknown): data is TabMessage {
  const type = (data as { type?: unknown } | null)?.type;
  return type === "token" || type === "client-changed";
}

/**
 * A coordinator over the given lock manager and channel (either may be missing). Names are
 * prefixed with `scope` (the publishable key), so two instances on one page never mix.
 */
export function createCoordinator(
  scope: string,
  locks: LockManagerLike | undefined,
  channel: ChannelLike | undefined,
): TabCoordinator {
  const listeners = new Set<(message: TabMessage) => void>();
  channel?.addEventListener("message", (event) => {
    if (isTabMessage(event.data)) for (const listener of listeners) listener(event.data);
  });
  return {
    async exclusive(name, fn) {
      if (!locks) return fn();
      const controller = typeof AbortController === "function" ? new AbortController() : undefined;
      const timer = controller ? setTimeout(() => controller.abort(), LOCK_WAIT_MS) : undefined;
      let granted = false;
      try {
        return await locks.request(
          `latchkey:${scope}:${name}`,
          { signal: controller?.signal },
          () => {
            granted = true;
            clearTimeout(timer);
            return fn();
          },
        );
      } catch (error) {
        // Not granted in time (or locks refused): go on alone rather than wait forever.
        if (!granted) return fn();
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
    publish(message) {
      try {
        channel?.postMessage(message);
      } catch {
        // A closed channel: the other tabs ask for their own tokens.
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      listeners.clear();
      channel?.close();
    },
  };
}

/** The browser's coordinator for an instance, with whatever of Web Locks and BroadcastChannel it has. */
export function browserCoordinator(scope: string): TabCoordinator {
  // Outside a page (server rendering) a channel would only keep the process alive.
  if (typeof window === "undefined") return createCoordinator(scope, undefined, undefined);
  const nav = globalThis.navigator as (Navigator & { locks?: LockManagerLike }) | undefined;
  const locks = nav?.locks && typeof nav.locks.request === "function" ? nav.locks : undefined;
  let channel: ChannelLike | undefined;
  try {
    channel =
      typeof BroadcastChannel === "function"
        ? new BroadcastChannel(`latchkey:${scope}`)
        : undefined;
  } catch {
    channel = undefined;
  }
  return createCoordinator(scope, locks, channel);
}
