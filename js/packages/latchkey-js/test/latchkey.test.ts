import { afterEach, describe, expect, it, vi } from "vitest";
import { Latchkey } from "../src/latchkey";
import { createCoordinator } from "../src/tokens/cross-tab";
import type { KeyValueStorage } from "../src/storage";
import { account, clientData, fakeFetch, tokenAnswer } from "./fake-server";
import { ManualClock, settle } from "./fakes";

function memoryStorage(): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

function make(
  answer: Parameters<typeof fakeFetch>[0],
  key = "pk_test_abc",
  extra: Partial<ConstructorParameters<typeof Latchkey>[1]> = {},
) {
  const server = fakeFetch(answer);
  const storage = memoryStorage();
  const latchkey = new Latchkey(key, {
    apiUrl: "http://127.0.0.1:8080/",
    fetch: server.fetch,
    storage,
    clock: new ManualClock(Date.now()),
    coordinator: createCoordinator("pk", undefined, undefined),
    liveUpdates: false,
    ...extra,
  });
  return { latchkey, server, storage };
}

const signedIn = (operation: string) => {
  if (operation === "Client") return { body: { data: { client: clientData(true) } } };
  if (operation.includes("/tokens")) return tokenAnswer();
  if (operation === "Me") return { body: { data: { me: account } } };
  return {
    status: 400,
    body: { errors: [{ message: "unknown", extensions: { code: "VALIDATION_FAILED" } }] },
  };
};

describe("the Latchkey object", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("needs apiUrl, and a publishable key", () => {
    expect(() => new Latchkey("pk_test_x", {} as never)).toThrow(/apiUrl is required/);
    expect(() => new Latchkey("sk_test_x", { apiUrl: "http://x" })).toThrow(
      /not a publishable key/,
    );
  });

  it("starts loading (undefined resources) with the initial state's auth, then loads the client", async () => {
    const { latchkey } = make(signedIn, "pk_test_abc", {
      initialState: { sessionId: "sess_1", userId: "user_1", orgId: null },
    });
    const before = latchkey.getSnapshot();
    expect(before).toBe(latchkey.getInitialSnapshot());
    expect(before.loaded).toBe(false);
    expect(before.status).toBe("loading");
    expect(before.user).toBeUndefined();
    expect(before.auth.sessionId).toBe("sess_1");
    await latchkey.load();
    expect(latchkey.loaded).toBe(true);
    expect(latchkey.status).toBe("ready");
    expect(latchkey.user?.fullName).toBe("Jane Doe");
    expect(latchkey.session?.id).toBe("sess_1");
    expect(latchkey.organization?.slug).toBe("acme");
    expect(latchkey.getSnapshot().auth).toEqual({
      sessionId: "sess_1",
      userId: "user_1",
      orgId: "org_1",
      orgRole: "org:admin",
      orgSlug: "acme",
      orgPermissions: ["org:sys_memberships:read", "org:sys_memberships:manage"],
    });
    // The initial snapshot stays what the server rendered.
    expect(latchkey.getInitialSnapshot()).toBe(before);
  });

  it("reads the signed-in user's memberships with their session token, not as the client", async () => {
    const { latchkey, server } = make(signedIn);
    await latchkey.load();
    const me = server.requests.find((r) => r.operation === "Me")!;
    expect(me.headers["Authorization"]).toMatch(/^Bearer [\w-]+\.[\w-]+\./);
    const client = server.requests.find((r) => r.operation === "Client")!;
    expect(client.headers["Authorization"]).toBeUndefined();
    expect(JSON.stringify(client.body)).not.toContain("organizationMemberships");
    expect(latchkey.user?.organizationMemberships[0]?.role).toBe("org:admin");
  });

  it("answers one frozen snapshot until something changes, and tells listeners once per change", async () => {
    const { latchkey } = make(signedIn);
    const seen = vi.fn();
    const stop = latchkey.addListener(seen);
    await latchkey.load();
    await settle();
    const snapshot = latchkey.getSnapshot();
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(latchkey.getSnapshot()).toBe(snapshot);
    expect(latchkey.getSnapshot().user).toBe(snapshot.user);
    const calls = seen.mock.calls.length;
    expect(seen).toHaveBeenLastCalledWith(snapshot);
    await latchkey.reloadClient();
    expect(latchkey.getSnapshot()).not.toBe(snapshot);
    expect(seen).toHaveBeenCalledTimes(calls + 1);
    stop();
    await latchkey.reloadClient();
    expect(seen).toHaveBeenCalledTimes(calls + 1);
  });

  it("loads signed out: null resources, and no token is asked for", async () => {
    const { latchkey, server } = make((op) => ({
      body: { data: { client: op === "Client" ? null : null } },
    }));
    await latchkey.load();
    expect(latchkey.session).toBeNull();
    expect(latchkey.user).toBeNull();
    expect(latchkey.organization).toBeNull();
    expect(latchkey.client?.signIn.status).toBeNull();
    expect(server.requests.some((r) => r.url.includes("/tokens"))).toBe(false);
  });

  it("sends the publishable key and credentials, keeps a development client token and sends it back", async () => {
    const { latchkey, server, storage } = make((op) =>
      op === "Client"
        ? { body: { data: { client: null } }, headers: { "Latchkey-Client": "tok_1" } }
        : { body: { data: { environment: null } } },
    );
    await latchkey.load();
    expect(storage.map.get("latchkey_client:pk_test_abc")).toBe("tok_1");
    await latchkey.reloadClient();
    const last = server.requests.at(-1)!;
    expect(last.url).toBe("http://127.0.0.1:8080/graphql");
    expect(last.credentials).toBe("include");
    expect(last.headers["Content-Type"]).toBe("application/json");
    expect(last.headers["Latchkey-Publishable-Key"]).toBe("pk_test_abc");
    expect(last.headers["Latchkey-Client"]).toBe("tok_1");
  });

  it("never keeps or sends a client token for a production key", async () => {
    const { latchkey, server, storage } = make(
      () => ({ body: { data: { client: null } }, headers: { "Latchkey-Client": "tok_1" } }),
      "pk_live_abc",
    );
    await latchkey.load();
    await latchkey.reloadClient();
    expect(storage.map.size).toBe(0);
    expect(server.requests.every((r) => r.headers["Latchkey-Client"] === undefined)).toBe(true);
  });

  it("fails load() for a production key on a page of another site, and says why", async () => {
    vi.stubGlobal("location", { href: "https://app.example.com/", hostname: "app.example.com" });
    const { latchkey, server } = make(signedIn, "pk_live_abc");
    await expect(latchkey.load()).rejects.toMatchObject({ code: "CROSS_SITE_PRODUCTION" });
    expect(latchkey.status).toBe("error");
    expect(latchkey.getSnapshot().error?.message).toMatch(
      /production needs|only when Latchkey runs on the app's own site/,
    );
    expect(server.requests).toHaveLength(0);
  });

  it("loads a production key on the same site", async () => {
    vi.stubGlobal("location", {
      href: "https://app.127.0.0.1.nip.io/",
      hostname: "app.example.com",
    });
    const { latchkey } = make(signedIn, "pk_live_abc", {});
    // apiUrl http://127.0.0.1:8080 is another site than the page: refused...
    await expect(latchkey.load()).rejects.toMatchObject({ code: "CROSS_SITE_PRODUCTION" });
    vi.stubGlobal("location", { href: "http://127.0.0.1:3000/", hostname: "127.0.0.1" });
    // ...and accepted from the same site.
    await latchkey.load();
    expect(latchkey.user?.id).toBe("user_1");
  });

  it("gets tokens from the token endpoint with an empty JSON body", async () => {
    const { latchkey, server } = make(signedIn);
    await latchkey.load();
    const token = await latchkey.session!.getToken();
    expect(token).toMatch(/\./);
    const request = server.requests.find((r) =>
      r.url.endsWith("/v1/client/sessions/sess_1/tokens"),
    )!;
    expect(request.body).toEqual({});
    expect(request.headers["Latchkey-Publishable-Key"]).toBe("pk_test_abc");
    expect(request.credentials).toBe("include");
    await latchkey.session!.getToken({ template: "hasura" });
    expect(server.requests.some((r) => r.url.endsWith("/sess_1/tokens/hasura"))).toBe(true);
  });

  it("gets tokens only from the endpoint: a 404 or no answer is an error, never a GraphQL fallback", async () => {
    let answer: "404" | "down" | "ok" = "ok";
    const { latchkey, server } = make((op) => {
      if (op === "Client") return { body: { data: { client: clientData(true) } } };
      if (op.includes("/tokens")) {
        if (answer === "404") return { status: 404, body: null };
        if (answer === "down") return new TypeError("Failed to fetch");
        return tokenAnswer();
      }
      if (op === "Me") return { body: { data: { me: account } } };
      return { body: { data: null } };
    });
    await latchkey.load();
    await settle();
    answer = "404";
    await expect(latchkey.session!.getToken({ skipCache: true })).rejects.toMatchObject({
      code: "UNEXPECTED_RESPONSE",
      status: 404,
    });
    answer = "down";
    await expect(latchkey.session!.getToken({ skipCache: true })).rejects.toMatchObject({
      code: "NETWORK_ERROR",
    });
    expect(
      server.requests.some((r) => JSON.stringify(r.body ?? "").includes("createSessionToken")),
    ).toBe(false);
  });

  it("reads the environment once and exposes it", async () => {
    const { latchkey, server } = make(signedIn);
    expect(latchkey.environment).toBeNull();
    await latchkey.load();
    await latchkey.load();
    await latchkey.reloadClient();
    expect(latchkey.environment?.instanceId).toBe("ins_1");
    expect(latchkey.environment?.issuer).toBe("http://127.0.0.1:8080/i/ins_1");
    expect(latchkey.environment?.secondFactors).toEqual(["TOTP", "BACKUP_CODE"]);
    expect(server.requests.filter((r) => r.operation === "Environment")).toHaveLength(1);
  });

  it("fetches the session's token anew after a reverification (the new fva)", async () => {
    const { latchkey, server } = make((op) => {
      if (op === "AttemptReverification")
        return {
          body: {
            data: {
              attemptReverification: {
                sessionId: "sess_1",
                status: "COMPLETE",
                firstFactorVerifiedAt: new Date().toISOString(),
                secondFactorVerifiedAt: null,
                completeUntil: new Date(Date.now() + 600_000).toISOString(),
              },
            },
          },
        };
      return signedIn(op);
    });
    await latchkey.load();
    await settle();
    const tokens = () => server.requests.filter((r) => r.url.includes("/tokens")).length;
    const before = tokens();
    const answer = await latchkey.user!.attemptReverification({
      strategy: "PASSWORD",
      password: "a sturdy passphrase 42",
    });
    expect(answer.status).toBe("COMPLETE");
    expect(tokens()).toBe(before + 1);
    const attempt = server.requests.find((r) => r.operation === "AttemptReverification")!;
    expect(attempt.body).toMatchObject({
      variables: { strategy: "PASSWORD", password: "a sturdy passphrase 42", code: null },
    });
  });

  it("signs the session out when the token endpoint says it is not active", async () => {
    let revoked = false;
    const { latchkey } = make((op) => {
      if (op === "Client")
        return { body: { data: { client: clientData(true, revoked ? "REVOKED" : "ACTIVE") } } };
      if (op.includes("/tokens")) {
        return revoked
          ? {
              status: 409,
              body: { errors: [{ message: "ended", extensions: { code: "SESSION_NOT_ACTIVE" } }] },
            }
          : tokenAnswer();
      }
      return { body: { data: null } };
    });
    await latchkey.load();
    await settle();
    const seen = vi.fn();
    latchkey.addListener(seen);
    revoked = true;
    await expect(latchkey.session!.getToken({ skipCache: true })).rejects.toMatchObject({
      code: "SESSION_NOT_ACTIVE",
      status: 409,
    });
    expect(latchkey.session).toBeNull();
    expect(latchkey.user).toBeNull();
    expect(seen).toHaveBeenCalled();
    await settle();
    expect(latchkey.client?.sessions[0]?.status).toBe("REVOKED");
  });

  it("keeps the session on a network failure and rejects with a clear error", async () => {
    let offline = false;
    const { latchkey } = make((op) => {
      if (offline) return new TypeError("Failed to fetch");
      return signedIn(op);
    });
    await latchkey.load();
    await settle();
    offline = true;
    await expect(latchkey.session!.getToken({ skipCache: true })).rejects.toMatchObject({
      code: "NETWORK_ERROR",
      message: expect.stringContaining("could not be reached"),
    });
    expect(latchkey.session?.id).toBe("sess_1");
  });

  it("passes the server's errors on as LatchkeyError with code and field", async () => {
    const { latchkey } = make((op) =>
      op === "CreateSignIn"
        ? {
            status: 200,
            body: {
              data: null,
              errors: [
                {
                  message: "wrong",
                  extensions: { code: "INVALID_CREDENTIALS", field: "password" },
                },
              ],
            },
          }
        : { body: { data: { client: clientData(false) } } },
    );
    await latchkey.load();
    await expect(
      latchkey.client!.signIn.create({ identifier: "a@b.c", password: "x" }),
    ).rejects.toMatchObject({
      name: "LatchkeyError",
      code: "INVALID_CREDENTIALS",
      field: "password",
    });
  });

  it("updates the snapshot with each sign-in step, and reads the client once a session is made", async () => {
    const signIn = (status: string, createdSessionId: string | null) => ({
      id: "sia_1",
      status,
      identifier: "jane@example.com",
      supportedFirstFactors: [{ strategy: "PASSWORD", safeIdentifier: null, emailAddressId: null }],
      supportedSecondFactors: [],
      firstFactorVerification: null,
      createdSessionId,
      abandonAt: "2026-01-02T00:00:00Z",
    });
    let complete = false;
    const { latchkey } = make((op) => {
      if (op === "Client") return { body: { data: { client: clientData(complete) } } };
      if (op === "CreateSignIn")
        return { body: { data: { createSignIn: signIn("NEEDS_FIRST_FACTOR", null) } } };
      if (op === "AttemptFirstFactor") {
        complete = true;
        return { body: { data: { attemptFirstFactor: signIn("COMPLETE", "sess_1") } } };
      }
      if (op === "SetActiveSession")
        return { body: { data: { setActiveSession: clientData(true) } } };
      return signedIn(op);
    });
    await latchkey.load();
    const started = await latchkey.client!.signIn.create({ identifier: "jane@example.com" });
    expect(started.status).toBe("NEEDS_FIRST_FACTOR");
    expect(latchkey.client!.signIn.status).toBe("NEEDS_FIRST_FACTOR");
    const done = await started.attemptFirstFactor({ strategy: "PASSWORD", password: "pw" });
    expect(done.createdSessionId).toBe("sess_1");
    await latchkey.setActive({ session: done.createdSessionId });
    expect(latchkey.user?.id).toBe("user_1");
  });
});
