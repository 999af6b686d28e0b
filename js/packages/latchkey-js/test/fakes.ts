// Test doubles for the token logic: a clock moved by hand, a bus of tabs with Web Locks and
// BroadcastChannel semantics, and a fetch that answers from a script.
import type { ChannelLike, LockManagerLike } from "../src/tokens/cross-tab";
import type { Clock } from "../src/tokens/timing";

/** A clock whose timers run only when `advance` moves it past them. */
export class ManualClock implements Clock {
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  constructor(public time = 1_700_000_000_000) {}
  now = () => this.time;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ at: this.time + Math.max(0, ms), fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== id);
  };
  /** The due times of pending timers, soonest first. */
  pending(): number[] {
    return this.timers.map((t) => t.at).sort((a, b) => a - b);
  }
  /** Moves time forward, running each timer due on the way (and letting promises settle). */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      const next = this.timers.sort((a, b) => a.at - b.at)[0];
      if (!next || next.at > end) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.at;
      next.fn();
    }
    this.time = end;
    await settle();
  }
}

/** Lets every pending promise chain run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** One lock manager shared by the fake tabs: a FIFO queue per lock name. */
export class FakeLocks implements LockManagerLike {
  private queues = new Map<string, Promise<unknown>>();
  grants = 0;
  async request<T>(
    name: string,
    _options: { signal?: AbortSignal },
    fn: () => Promise<T>,
  ): Promise<T> {
    const before = this.queues.get(name) ?? Promise.resolve();
    const run = before
      .catch(() => undefined)
      .then(() => {
        this.grants += 1;
        return fn();
      });
    this.queues.set(
      name,
      run.catch(() => undefined),
    );
    return run;
  }
}

/** A broadcast bus: each tab's channel delivers to every other tab's, asynchronously. */
export class FakeBus {
  private channels = new Set<{ deliver: (data: unknown) => void }>();
  channel(): ChannelLike {
    const listeners: ((event: { data: unknown }) => void)[] = [];
    const self = {
      deliver: (data: unknown) => listeners.forEach((l) => l({ data: structuredClone(data) })),
    };
    this.channels.add(self);
    return {
      postMessage: (data) => {
        for (const other of this.channels)
          if (other !== self) queueMicrotask(() => other.deliver(data));
      },
      addEventListener: (_type, listener) => listeners.push(listener),
      close: () => this.channels.delete(self),
    };
  }
}

/** A JWT-shaped token (unsigned) with `iat` and `exp` in seconds. */
export function jwtFor(iatMs: number, lifetimeMs: number, n = 0): string {
  const body = { iat: Math.floor(iatMs / 1000), exp: Math.floor((iatMs + lifetimeMs) / 1000), n };
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode({ alg: "none" })}.${encode(body)}.sig`;
}
