import { describe, expect, it, vi } from "vitest";
import { LatchkeyError, networkError } from "../src/errors";
import { createCoordinator, type TabCoordinator } from "../src/tokens/cross-tab";
import { TokenManager } from "../src/tokens/manager";
import { FakeBus, FakeLocks, jwtFor, ManualClock, settle } from "./fakes";

const LIFETIME = 60_000;

/** A tab: a token manager over a shared clock, server and (optionally) bus and locks. */
function tab(
  clock: ManualClock,
  server: { requests: number; fail?: () => unknown },
  coordinator: TabCoordinator = createCoordinator("pk", undefined, undefined),
) {
  const ended = vi.fn();
  const written = vi.fn();
  const manager = new TokenManager({
    clock,
    coordinator,
    random: () => 0.5,
    onSessionEnded: ended,
    onToken: written,
    fetchToken: async () => {
      server.requests += 1;
      const failure = server.fail?.();
      if (failure) throw failure;
      const jwt = jwtFor(clock.now(), LIFETIME, server.requests);
      return { jwt, expiresAt: new Date(clock.now() + LIFETIME).toISOString() };
    },
  });
  return { manager, ended, written };
}

describe("the token manager of one tab", () => {
  it("serves the cached token until it is stale, then asks again", async () => {
    const clock = new ManualClock();
    const server = { requests: 0 };
    const { manager } = tab(clock, server);
    const first = await manager.getToken("sess_1");
    await clock.advance(49_000);
    expect(await manager.getToken("sess_1")).toBe(first);
    expect(server.requests).toBe(1);
    await clock.advance(1_000);
    expect(await manager.getToken("sess_1")).not.toBe(first);
    expect(server.requests).toBe(2);
  });

  it("sends one request for callers that ask at once, and skipCache asks anew", async () => {
    const clock = new ManualClock();
    const server = { requests: 0 };
    const { manager } = tab(clock, server);
    const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => manager.getToken("sess_1")));
    expect(new Set(tokens).size).toBe(1);
    expect(server.requests).toBe(1);
    await manager.getToken("sess_1", { skipCache: true });
    expect(server.requests).toBe(2);
  });

  it("keeps templates apart from the session token", async () => {
    const clock = new ManualClock();
    const server = { requests: 0 };
    const { manager } = tab(clock, server);
    const plain = await manager.getToken("sess_1");
    const templated = await manager.getToken("sess_1", { template: "hasura" });
    expect(templated).not.toBe(plain);
    expect(server.requests).toBe(2);
  });

  it("refreshes the kept session ahead of expiry in the background, and writes each token", async () => {
    const clock = new ManualClock();
    const server = { requests: 0 };
    const { manager, written } = tab(clock, server);
    manager.keep("sess_1");
    await settle();
    expect(server.requests).toBe(1);
    expect(written).toHaveBeenCalledTimes(1);
    // Refresh due at 45 s, spread by a quarter of the 5 s to the stale mark (random 0.5): 46.25 s.
    expect(clock.pending()).toEqual([clock.now() + 46_250]);
    await clock.advance(46_250 * 3);
    expect(server.requests).toBe(4);
    expect(written).toHaveBeenCalledTimes(4);
    // A caller meanwhile never waits: the cache is always fresh.
    await manager.getToken("sess_1");
    expect(server.requests).toBe(4);
  });

  it("hands a token cached before the session was kept to onToken at once", async () => {
    const clock = new ManualClock();
    const server = { requests: 0 };
    const { manager, written } = tab(clock, server);
    const token = await manager.getToken("sess_1");
    expect(written).not.toHaveBeenCalled();
    manager.keep("sess_1");
    expect(written).toHaveBeenCalledWith("sess_1", expect.objectContaining({ jwt: token }));
    expect(server.requests).toBe(1);
    expect(clock.pending()).toHaveLength(1);
  });

  it("signs the session out on SESSION_NOT_ACTIVE and UNAUTHENTICATED, and stops refreshing", async () => {
    for (const code of ["SESSION_NOT_ACTIVE", "UNAUTHENTICATED"]) {
      const clock = new ManualClock();
      const server: { requests: number; fail?: () => unknown } = { requests: 0 };
      const { manager, ended } = tab(clock, server);
      manager.keep("sess_1");
      await settle();
      server.fail = () => new LatchkeyError(code, "ended", { status: 409 });
      await clock.advance(60_000);
      expect(ended).toHaveBeenCalledWith("sess_1", expect.objectContaining({ code }));
      expect(manager.peek("sess_1")).toBeUndefined();
      expect(clock.pending()).toEqual([]);
      await expect(manager.getToken("sess_1")).rejects.toMatchObject({ code });
    }
  });

  it("rejects on a network failure, retries with backoff, and never signs out", async () => {
    const clock = new ManualClock();
    const server: { requests: number; fail?: () => unknown } = { requests: 0 };
    const { manager, ended } = tab(clock, server);
    server.fail = () => networkError("http://x", new TypeError("Failed to fetch"));
    await expect(manager.getToken("sess_1")).rejects.toMatchObject({ code: "NETWORK_ERROR" });
    manager.keep("sess_1");
    await settle();
    const start = clock.now();
    expect(clock.pending()).toEqual([start + 1_000]);
    await clock.advance(1_000);
    expect(clock.pending()).toEqual([start + 3_000]);
    await clock.advance(2_000);
    expect(clock.pending()).toEqual([start + 7_000]);
    server.fail = undefined;
    await clock.advance(4_000);
    expect(manager.peek("sess_1")).toBeDefined();
    expect(ended).not.toHaveBeenCalled();
    // Back on the normal schedule.
    expect(clock.pending()).toEqual([clock.now() + 46_250]);
  });

  it("refreshes at once on wake-up (focus) only when the refresh is due", async () => {
    const clock = new ManualClock();
    const server = { requests: 0 };
    const { manager } = tab(clock, server);
    manager.keep("sess_1");
    await settle();
    manager.refreshKept();
    await settle();
    expect(server.requests).toBe(1);
    clock.time += 46_000; // a sleeping laptop: the timer did not run
    manager.refreshKept();
    await settle();
    expect(server.requests).toBe(2);
  });
});

describe("tokens across tabs", () => {
  async function cycles(tabs: number, withLocks: boolean, withChannel: boolean): Promise<number> {
    const clock = new ManualClock();
    const server = { requests: 0 };
    const bus = new FakeBus();
    const locks = new FakeLocks();
    const managers = Array.from({ length: tabs }, () =>
      tab(
        clock,
        server,
        createCoordinator(
          "pk",
          withLocks ? locks : undefined,
          withChannel ? bus.channel() : undefined,
        ),
      ),
    );
    for (const { manager } of managers) manager.keep("sess_1");
    await settle();
    server.requests = 0;
    await clock.advance(10 * LIFETIME);
    return server.requests;
  }

  it("five tabs make about one request per token lifetime in all", async () => {
    const requests = await cycles(5, true, true);
    // 10 lifetimes, refreshed every 46.25 s: 12 refreshes for one tab alone.
    expect(requests).toBeLessThanOrEqual(13);
  });

  it("without sharing, every tab refreshes for itself", async () => {
    expect(await cycles(5, false, false)).toBeGreaterThanOrEqual(5 * 12);
  });

  it("shares a token received in another tab, so a caller here sends nothing", async () => {
    const clock = new ManualClock();
    const server = { requests: 0 };
    const bus = new FakeBus();
    const locks = new FakeLocks();
    const a = tab(clock, server, createCoordinator("pk", locks, bus.channel()));
    const b = tab(clock, server, createCoordinator("pk", locks, bus.channel()));
    const token = await a.manager.getToken("sess_1");
    await settle();
    expect(await b.manager.getToken("sess_1")).toBe(token);
    expect(server.requests).toBe(1);
  });

  it("a tab waiting for the lock uses the token the holder fetched", async () => {
    const clock = new ManualClock();
    const server = { requests: 0 };
    const bus = new FakeBus();
    const locks = new FakeLocks();
    const a = tab(clock, server, createCoordinator("pk", locks, bus.channel()));
    const b = tab(clock, server, createCoordinator("pk", locks, bus.channel()));
    const [first, second] = await Promise.all([
      a.manager.getToken("sess_1"),
      b.manager.getToken("sess_1"),
    ]);
    expect(second).toBe(first);
    expect(server.requests).toBe(1);
    expect(locks.grants).toBe(2);
  });
});
