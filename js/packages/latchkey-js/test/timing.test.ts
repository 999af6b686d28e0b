import { describe, expect, it } from "vitest";
import { backoff, cachedToken, deadlines, lifetimeOf } from "../src/tokens/timing";
import { jwtFor } from "./fakes";

describe("token timing", () => {
  it("reads a token's lifetime from its claims", () => {
    expect(lifetimeOf(jwtFor(1_000_000, 60_000))).toBe(60_000);
    expect(lifetimeOf("not-a-jwt")).toBeUndefined();
    expect(lifetimeOf("a.!!!.c")).toBeUndefined();
  });

  it("times a token on this browser's clock even when the server's is far off", () => {
    const now = 5_000_000;
    // The server's clock is an hour ahead: its expiry would look like an hour of life.
    const serverIssued = now + 3_600_000;
    const token = cachedToken(
      jwtFor(serverIssued, 60_000),
      new Date(serverIssued + 60_000).toISOString(),
      now,
    );
    expect(token.expiresAt).toBe(now + 60_000);
    // Without readable claims the server's expiry is all there is.
    const opaque = cachedToken("opaque", new Date(now + 30_000).toISOString(), now);
    expect(opaque.expiresAt).toBe(now + 30_000);
  });

  it("refreshes a 60 s token at 45 s and stops serving it at 50 s", () => {
    const { refreshAt, staleAt } = deadlines({ jwt: "", receivedAt: 0, expiresAt: 60_000 });
    expect(refreshAt).toBe(45_000);
    expect(staleAt).toBe(50_000);
  });

  it("scales the margins down for short tokens", () => {
    const { refreshAt, staleAt } = deadlines({ jwt: "", receivedAt: 0, expiresAt: 12_000 });
    expect(refreshAt).toBe(9_000);
    expect(staleAt).toBe(10_000);
    expect(refreshAt).toBeLessThan(staleAt);
  });

  it("backs off from 1 s, doubling, to at most 30 s", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map(backoff)).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });
});
