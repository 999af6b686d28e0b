import { afterEach, describe, expect, it, vi } from "vitest";
import { createCoordinator, LOCK_WAIT_MS, type LockManagerLike } from "../src/tokens/cross-tab";
import { FakeBus, FakeLocks, settle } from "./fakes";

describe("the tab coordinator", () => {
  afterEach(() => vi.useRealTimers());

  it("runs one holder of a lock at a time, in order", async () => {
    const locks = new FakeLocks();
    const a = createCoordinator("pk", locks, undefined);
    const b = createCoordinator("pk", locks, undefined);
    const order: string[] = [];
    let release!: () => void;
    const held = a.exclusive("t", () =>
      new Promise<void>((r) => (release = r)).then(() => void order.push("a")),
    );
    const waiting = b.exclusive("t", async () => void order.push("b"));
    await settle();
    expect(order).toEqual([]);
    release();
    await Promise.all([held, waiting]);
    expect(order).toEqual(["a", "b"]);
  });

  it("runs at once without Web Locks", async () => {
    const alone = createCoordinator("pk", undefined, undefined);
    expect(await alone.exclusive("t", async () => 42)).toBe(42);
  });

  it("goes on alone when the lock is not granted in time", async () => {
    vi.useFakeTimers();
    const stuck: LockManagerLike = {
      request: (_name, options) =>
        new Promise((_, reject) =>
          options.signal?.addEventListener("abort", () => reject(new Error("aborted"))),
        ),
    };
    const coordinator = createCoordinator("pk", stuck, undefined);
    const result = coordinator.exclusive("t", async () => "ran");
    await vi.advanceTimersByTimeAsync(LOCK_WAIT_MS);
    expect(await result).toBe("ran");
  });

  it("passes an error of the holder on, without running it twice", async () => {
    const coordinator = createCoordinator("pk", new FakeLocks(), undefined);
    const fn = vi.fn(async () => {
      throw new Error("boom");
    });
    await expect(coordinator.exclusive("t", fn)).rejects.toThrow("boom");
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("tells the other tabs, not itself, and ignores foreign messages", async () => {
    const bus = new FakeBus();
    const channelA = bus.channel();
    const a = createCoordinator("pk", undefined, channelA);
    const b = createCoordinator("pk", undefined, bus.channel());
    const heardA = vi.fn();
    const heardB = vi.fn();
    a.subscribe(heardA);
    const stop = b.subscribe(heardB);
    a.publish({ type: "client-changed" });
    channelA.postMessage({ type: "something else" });
    await settle();
    expect(heardA).not.toHaveBeenCalled();
    expect(heardB).toHaveBeenCalledTimes(1);
    expect(heardB).toHaveBeenCalledWith({ type: "client-changed" });
    stop();
    a.publish({ type: "client-changed" });
    await settle();
    expect(heardB).toHaveBeenCalledTimes(1);
  });
});
