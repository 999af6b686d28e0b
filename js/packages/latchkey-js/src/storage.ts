/** The little storage the SDK needs (`localStorage` in a browser); injectable for tests. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** `localStorage` when the environment has a usable one, else `undefined`. */
export function browserStorage(): KeyValueStorage | undefined {
  try {
    const storage = globalThis.localStorage;
    if (storage === undefined) return undefined;
    const probe = "__latchkey_probe";
    storage.setItem(probe, "1");
    storage.removeItem(probe);
    return storage;
  } catch {
    // Private modes and sandboxed frames throw on access.
    return undefined;
  }
}

/**
 * Where a development instance's client token is kept between page loads: one entry per
 * publishable key. Production instances never use it (their client is an HttpOnly cookie).
 */
export class ClientTokenStore {
  private readonly key: string;
  private memory: string | null = null;

  /** Keeps the token of `publishableKey` in `storage`, or only in memory without one. */
  constructor(
    publishableKey: string,
    private readonly storage: KeyValueStorage | undefined,
  ) {
    this.key = `latchkey_client:${publishableKey}`;
  }

  /** The kept token, if any. */
  get(): string | null {
    try {
      return this.storage?.getItem(this.key) ?? this.memory;
    } catch {
      return this.memory;
    }
  }

  /** Keeps a token the server handed back (`Latchkey-Client` response header). */
  set(token: string): void {
    this.memory = token;
    try {
      this.storage?.setItem(this.key, token);
    } catch {
      // Full or forbidden storage: the memory copy still serves this page.
    }
  }

  /** Forgets the token. */
  clear(): void {
    this.memory = null;
    try {
      this.storage?.removeItem(this.key);
    } catch {
      // Nothing to undo.
    }
  }
}
