// @latchkey/express against the real server: an Express app on a free port using the middleware,
// a user signed up through the frontend API, and session tokens from the token endpoint.
import express from "express";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type SignedUp,
  type TestServer,
  activeOrganization,
  closedUrl,
  sessionToken,
  signUp,
  startTestServer,
} from "../../backend/test/server";
import { getAuth, latchkeyMiddleware, requireAuth, requirePermission } from "../src/index";

const SIGN_IN = "https://accounts.example.test/sign-in";
let server: TestServer;
let user: SignedUp;
let app: Server;
let origin: string;
/** A token whose `azp` is the app's origin. */
let token: string;

/** The Express app under test: its routes, behind the middleware. */
function buildApp(
  latchkey: TestServer,
  authorizedParties: string[],
  apiUrl: string = latchkey.info.url,
) {
  const routes = express();
  // Registered before the middleware: getAuth must say so.
  routes.get("/bare", (req, res) => {
    try {
      getAuth(req);
      res.json({ ok: true });
    } catch (error) {
      res.status(500).json({ message: (error as Error).message });
    }
  });
  routes.use(
    latchkeyMiddleware({
      issuer: latchkey.issuer,
      apiUrl,
      authorizedParties,
      signInUrl: SIGN_IN,
    }),
  );
  routes.get("/open", (req, res) => {
    res.json({ userId: getAuth(req).userId });
  });
  routes.get("/api/me", requireAuth(), (req, res) => {
    const auth = getAuth(req);
    res.json({ userId: auth.userId, sessionId: auth.sessionId });
  });
  routes.get("/page", requireAuth(), (req, res) => {
    res.type("html").send(`<p>${getAuth(req).userId}</p>`);
  });
  routes.post("/api/things", requireAuth(), (req, res) => {
    res.json({ created: true, by: getAuth(req).userId });
  });
  routes.get("/invoices", requirePermission({ permission: "org:invoices:read" }), (_req, res) => {
    res.json({ invoices: [] });
  });
  routes.get("/admin", requirePermission({ role: "org:admin" }), (_req, res) => {
    res.json({ admin: true });
  });
  return routes;
}

beforeAll(async () => {
  server = await startTestServer();
  user = await signUp(server.info);
  // The app's origin is known once it listens; it is its own authorized party.
  const routes = express();
  app = await new Promise<Server>((done) => {
    const listening = routes.listen(0, "127.0.0.1", () => done(listening));
  });
  origin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  routes.use(buildApp(server, [origin]));
  token = await sessionToken(server.info, user, origin);
}, 120_000);

afterAll(async () => {
  app?.closeAllConnections();
  await new Promise((done) => (app ? app.close(done) : done(undefined)));
  await server?.stop();
});

const call = (path: string, init: RequestInit = {}) =>
  fetch(`${origin}${path}`, { redirect: "manual", ...init });
const errorCode = async (response: Response) =>
  ((await response.json()) as { errors: { extensions: { code: string; reason?: string } }[] })
    .errors[0]?.extensions;

describe("signed out", () => {
  it("answers an API request 401 with the contract's JSON error", async () => {
    const response = await call("/api/me", { headers: { accept: "application/json" } });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    expect(await errorCode(response)).toEqual({ code: "UNAUTHENTICATED", reason: "token-missing" });
    // A POST wanting HTML is no navigation either.
    const post = await call("/api/things", { method: "POST", headers: { accept: "text/html" } });
    expect(post.status).toBe(401);
  });

  it("redirects a browser navigation to sign-in with its full URL", async () => {
    const navigations: Record<string, string>[] = [
      { accept: "text/html,application/xhtml+xml,*/*;q=0.8" },
      { "sec-fetch-dest": "document" },
    ];
    for (const headers of navigations) {
      const response = await call("/page?tab=2&x=a%20b", { headers });
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get("location") ?? "");
      expect(`${location.origin}${location.pathname}`).toBe(SIGN_IN);
      expect(location.searchParams.get("redirect_url")).toBe(`${origin}/page?tab=2&x=a%20b`);
    }
  });

  it("reaches open routes with a null userId", async () => {
    const response = await call("/open");
    expect(await response.json()).toEqual({ userId: null });
  });

  it("getAuth throws a clear error without the middleware", async () => {
    const response = await call("/bare");
    expect(response.status).toBe(500);
    expect(((await response.json()) as { message: string }).message).toMatch(
      /getAuth: latchkeyMiddleware\(\) did not run/,
    );
  });
});

describe("signed in", () => {
  it("by the Authorization header", async () => {
    const response = await call("/api/me", { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ userId: user.userId, sessionId: user.sessionId });
  });

  it("by the __session cookie, for an API request and a page", async () => {
    const response = await call("/api/me", { headers: { cookie: `a=1; __session=${token}` } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { userId: string }).userId).toBe(user.userId);
    const page = await call("/page", {
      headers: { cookie: `__session=${token}`, accept: "text/html" },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(user.userId);
  });

  it("refuses a token with another azp", async () => {
    // Another origin the development instance allows, but not one of the app's parties.
    const other = await sessionToken(server.info, user, "http://localhost:3000");
    const response = await call("/api/me", { headers: { authorization: `Bearer ${other}` } });
    expect(response.status).toBe(401);
    expect(await errorCode(response)).toEqual({
      code: "UNAUTHENTICATED",
      reason: "token-invalid-azp",
    });
  });

  it("answers 403 without the permission, and passes with the role", async () => {
    const headers = { authorization: `Bearer ${token}` };
    const missing = await call("/invoices", { headers });
    expect(missing.status).toBe(403);
    expect((await errorCode(missing))?.code).toBe("FORBIDDEN");
    expect((await call("/admin", { headers })).status).toBe(403);

    // With an active organization the user administers, the role passes (the permission still not).
    await activeOrganization(server.info, user);
    const orgToken = await sessionToken(server.info, user, origin);
    const withOrg = { authorization: `Bearer ${orgToken}` };
    expect((await call("/admin", { headers: withOrg })).status).toBe(200);
    expect((await call("/invoices", { headers: withOrg })).status).toBe(403);
  });
});

describe("a JWKS outage", () => {
  it("answers a page navigation 503, never a redirect to sign-in that would loop", async () => {
    const routes = buildApp(server, [origin], await closedUrl());
    const outage = await new Promise<Server>((done) => {
      const listening = routes.listen(0, "127.0.0.1", () => done(listening));
    });
    try {
      const port = (outage.address() as AddressInfo).port;
      const page = await fetch(`http://127.0.0.1:${port}/page`, {
        redirect: "manual",
        headers: {
          accept: "text/html",
          "sec-fetch-dest": "document",
          cookie: `__session=${token}`,
        },
      });
      expect(page.status).toBe(503);
      expect(await errorCode(page)).toEqual({ code: "INTERNAL", reason: "jwks-unavailable" });
    } finally {
      outage.closeAllConnections();
      await new Promise((done) => outage.close(done));
    }
  });
});

describe("cross-site request forgery", () => {
  const post = (headers: Record<string, string>) =>
    call("/api/things", { method: "POST", headers });

  it("refuses a cookie-authenticated POST without an authorized Origin", async () => {
    const bare = await post({ cookie: `__session=${token}` });
    expect(bare.status).toBe(403);
    const refused = await errorCode(bare);
    expect(refused?.code).toBe("FORBIDDEN");
    expect(refused?.reason).toBe("cross-site-request");
    const elsewhere = await post({
      cookie: `__session=${token}`,
      origin: "https://sibling.example.test",
      "sec-fetch-site": "same-site",
    });
    expect(elsewhere.status).toBe(403);
  });

  it("accepts it from an authorized Origin, or same-origin by Sec-Fetch-Site", async () => {
    const fromApp = await post({ cookie: `__session=${token}`, origin });
    expect(fromApp.status).toBe(200);
    expect(await fromApp.json()).toEqual({ created: true, by: user.userId });
    const sameOrigin = await post({
      cookie: `__session=${token}`,
      "sec-fetch-site": "same-origin",
    });
    expect(sameOrigin.status).toBe(200);
  });

  it("does not check safe methods or header tokens", async () => {
    expect((await call("/api/me", { headers: { cookie: `__session=${token}` } })).status).toBe(200);
    const header = await post({ authorization: `Bearer ${token}` });
    expect(header.status).toBe(200);
  });
});
