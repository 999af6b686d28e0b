// The backend client against the real server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LatchkeyApiError, createLatchkeyClient, type LatchkeyClient } from "../src/index";
import { type SignedUp, type TestServer, sessionToken, signUp, startTestServer } from "./server";

let server: TestServer;
let user: SignedUp;
let client: LatchkeyClient;

beforeAll(async () => {
  server = await startTestServer();
  user = await signUp(server.info);
  client = createLatchkeyClient({ secretKey: server.info.secretKey, apiUrl: server.info.url });
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe("createLatchkeyClient", () => {
  it("gets a user and lists users", async () => {
    const got = await client.users.getUser(user.userId);
    expect(got.id).toBe(user.userId);
    expect(got.emailAddresses.map((e) => e.emailAddress)).toEqual([user.email]);
    const list = await client.users.getUserList({
      filter: { emailAddress: [user.email] },
      limit: 5,
    });
    expect(list.totalCount).toBe(1);
    expect(list.data[0]?.id).toBe(user.userId);
  });

  it("throws the contract's code", async () => {
    const error = await client.users.getUser("user_nobody").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LatchkeyApiError);
    expect((error as LatchkeyApiError).code).toBe("NOT_FOUND");
    const invalid = await client.users.getUserList({ limit: 100_000 }).catch((e: unknown) => e);
    expect((invalid as LatchkeyApiError).code).toBe("VALIDATION_FAILED");
  });

  it("verifies a token, and refuses it once its session is revoked", async () => {
    const jwt = await sessionToken(server.info, user);
    const ok = await client.verifyToken(jwt);
    expect(ok).toMatchObject({
      isAuthenticated: true,
      tokenType: "SESSION_TOKEN",
      userId: user.userId,
      sessionId: user.sessionId,
    });
    const revoked = await client.sessions.revokeSession(user.sessionId);
    expect(revoked).toMatchObject({ id: user.sessionId, status: "REVOKED", userId: user.userId });
    const refused = await client.verifyToken(jwt);
    expect(refused).toMatchObject({ isAuthenticated: false, reason: "session-not-active" });
  });

  it("refuses a bad secret key, and any in a browser", async () => {
    const bad = createLatchkeyClient({ secretKey: "sk_test_nope", apiUrl: server.info.url });
    expect(
      ((await bad.users.getUser(user.userId).catch((e: unknown) => e)) as LatchkeyApiError).code,
    ).toBe("UNAUTHENTICATED");
    const global = globalThis as { window?: unknown };
    global.window = {};
    try {
      expect(() =>
        createLatchkeyClient({ secretKey: server.info.secretKey, apiUrl: server.info.url }),
      ).toThrow(/servers only/);
    } finally {
      delete global.window;
    }
  });
});
