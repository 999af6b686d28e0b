// authenticateRequest against the real server: tokens from its token endpoint, its JWKS.
import { readFileSync } from "node:fs";
import { type IncomingMessage, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportSPKI, importJWK, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  JwksCache,
  authenticateRequest,
  jwksUrlOf,
  organizationHas,
  readOrganizationClaim,
  type AuthenticateRequestOptions,
  type RequestState,
} from "../src/index";
import {
  type SignedUp,
  type TestServer,
  activeOrganization,
  closedUrl,
  sessionToken,
  signUp,
  startProxy,
  startTestServer,
} from "./server";

const APP = "http://localhost:3000";
let server: TestServer;
let user: SignedUp;
let token: string;
let tokenWithAzp: string;

beforeAll(async () => {
  server = await startTestServer();
  user = await signUp(server.info);
  token = await sessionToken(server.info, user);
  tokenWithAzp = await sessionToken(server.info, user, APP);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

const bearer = (jwt: string) =>
  new Request("http://app.test/api", { headers: { authorization: `Bearer ${jwt}` } });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const parts = (jwt: string) => jwt.split(".") as [string, string, string];
const decode = (segment: string) =>
  JSON.parse(Buffer.from(segment, "base64url").toString()) as Record<string, unknown>;

/** Options with a fresh cache on the real server's JWKS, and a manual monotonic clock. */
function fresh(extra: Partial<AuthenticateRequestOptions> = {}, apiUrl = server.info.url) {
  let ms = 0;
  const jwksCache = new JwksCache(jwksUrlOf(apiUrl, server.issuer), { clock: () => ms });
  const options: AuthenticateRequestOptions = {
    issuer: server.issuer,
    apiUrl,
    jwksCache,
    ...extra,
  };
  return { options, jwksCache, advance: (by: number) => (ms += by) };
}

describe("authenticateRequest", () => {
  it("signs in a valid token, from the header or the __session cookie", async () => {
    const { options } = fresh();
    const state = await authenticateRequest(bearer(token), options);
    expect(state).toMatchObject({
      isAuthenticated: true,
      status: "signed-in",
      reason: null,
      tokenType: "session_token",
    });
    const auth = state.toAuth();
    expect(auth).toMatchObject({
      userId: user.userId,
      sessionId: user.sessionId,
      orgId: null,
      orgRole: null,
    });
    expect(auth.sessionClaims?.iss).toBe(server.issuer);
    expect(auth.has({ role: "org:admin" })).toBe(false);
    const cookie = new Request("http://app.test/", {
      headers: { cookie: `a=b; __session=${token}` },
    });
    expect((await authenticateRequest(cookie, options)).toAuth().userId).toBe(user.userId);
  });

  it("reads a Node IncomingMessage's header and cookie as a Request's", async () => {
    const { options } = fresh();
    // A real Node HTTP server hands each request to authenticateRequest as it is.
    const node = createServer((req: IncomingMessage, res) => {
      void authenticateRequest(req, options).then((state: RequestState) => {
        res.setHeader("content-type", "application/json");
        res.end(
          JSON.stringify({
            userId: state.toAuth().userId,
            reason: state.reason,
            tokenSource: state.tokenSource,
          }),
        );
      });
    });
    await new Promise<void>((done) => node.listen(0, "127.0.0.1", done));
    const url = `http://127.0.0.1:${(node.address() as AddressInfo).port}/`;
    try {
      const read = async (headers: Record<string, string>) =>
        (await (await fetch(url, { method: "POST", headers })).json()) as unknown;
      expect(await read({ authorization: `Bearer ${token}` })).toEqual({
        userId: user.userId,
        reason: null,
        tokenSource: "authorization",
      });
      expect(await read({ cookie: `a=b; __session=${token}` })).toEqual({
        userId: user.userId,
        reason: null,
        tokenSource: "cookie",
      });
      expect(await read({})).toEqual({ userId: null, reason: "token-missing", tokenSource: null });
      expect(await read({ cookie: "__session=nope" })).toEqual({
        userId: null,
        reason: "token-malformed",
        tokenSource: "cookie",
      });
    } finally {
      node.close();
    }
    // Repeated Node cookie headers are joined as one.
    const repeated = await authenticateRequest(
      { method: "GET", headers: { cookie: ["a=b", `__session=${token}`] } },
      options,
    );
    expect(repeated.toAuth().userId).toBe(user.userId);
  });

  it("answers token-missing without a token", async () => {
    const state = await authenticateRequest(new Request("http://app.test/"), fresh().options);
    expect(state).toMatchObject({
      isAuthenticated: false,
      status: "signed-out",
      reason: "token-missing",
    });
    expect(state.toAuth().userId).toBeNull();
  });

  it("refuses an expired token, and one not valid yet, within 5 s of skew", async () => {
    const { exp, iat } = decode(parts(token)[1]) as { exp: number; iat: number };
    const at = (now: number) => fresh({ now: () => now }).options;
    expect((await authenticateRequest(bearer(token), at(exp + 4))).isAuthenticated).toBe(true);
    expect((await authenticateRequest(bearer(token), at(exp + 5))).reason).toBe("token-expired");
    expect((await authenticateRequest(bearer(token), at(iat - 5))).isAuthenticated).toBe(true);
    expect((await authenticateRequest(bearer(token), at(iat - 6))).reason).toBe(
      "token-not-active-yet",
    );
  });

  it("takes a skew that is not a number (an unset setting) as the default, never as no limit", async () => {
    const { exp } = decode(parts(token)[1]) as { exp: number };
    for (const clockSkewInSec of [Number.NaN, Number.POSITIVE_INFINITY, Number(undefined)]) {
      const options = { ...fresh({ now: () => exp + 3600 }).options, clockSkewInSec };
      expect((await authenticateRequest(bearer(token), options)).reason).toBe("token-expired");
    }
    const broken = { ...fresh({ now: () => Number.NaN }).options };
    expect((await authenticateRequest(bearer(token), broken)).isAuthenticated).toBe(false);
  });

  it("checks azp against the authorized parties", async () => {
    const ok = await authenticateRequest(
      bearer(tokenWithAzp),
      fresh({ authorizedParties: [APP] }).options,
    );
    expect(ok.isAuthenticated).toBe(true);
    const other = await authenticateRequest(
      bearer(tokenWithAzp),
      fresh({ authorizedParties: ["https://other.test"] }).options,
    );
    expect(other.reason).toBe("token-invalid-azp");
    const none = await authenticateRequest(
      bearer(token),
      fresh({ authorizedParties: [APP] }).options,
    );
    expect(none.reason).toBe("token-invalid-azp");
  });

  it("refuses another issuer before fetching any key", async () => {
    const issuer = server.issuer.replace(/\/i\/[^/]+$/, "/i/ins_someoneelse");
    const { options, jwksCache } = fresh({ issuer });
    const state = await authenticateRequest(bearer(token), options);
    expect(state.reason).toBe("token-invalid-issuer");
    expect(jwksCache.fetchCount).toBe(0);
  });

  it("refuses a tampered token and alg none", async () => {
    const [header, payload, signature] = parts(token);
    const claims = decode(payload);
    const tampered = `${header}.${b64({ ...claims, sub: "user_someoneelse" })}.${signature}`;
    expect((await authenticateRequest(bearer(tampered), fresh().options)).reason).toBe(
      "token-invalid-signature",
    );
    // As latchkey-verify answers it: `none` is no algorithm at all, a malformed token.
    const none = `${b64({ ...decode(header), alg: "none" })}.${payload}.`;
    expect((await authenticateRequest(bearer(none), fresh().options)).reason).toBe(
      "token-malformed",
    );
    const hs = `${b64({ ...decode(header), alg: "HS256" })}.${payload}.${signature}`;
    expect((await authenticateRequest(bearer(hs), fresh().options)).reason).toBe(
      "token-invalid-signature",
    );
    expect((await authenticateRequest(bearer("not.a-token"), fresh().options)).reason).toBe(
      "token-malformed",
    );
  });

  it("fetches the JWKS once for many requests, and once per 5 s for unknown kids", async () => {
    const proxy = await startProxy(server.info.url);
    try {
      const { options, jwksCache, advance } = fresh({}, proxy.url);
      const states = await Promise.all(
        Array.from({ length: 50 }, () => authenticateRequest(bearer(token), options)),
      );
      expect(states.every((s) => s.isAuthenticated)).toBe(true);
      expect(proxy.jwksRequests()).toBe(1);
      const [header, payload, signature] = parts(token);
      const unknown = (kid: string) => `${b64({ ...decode(header), kid })}.${payload}.${signature}`;
      for (const kid of ["key_a", "key_b", "key_c"]) {
        expect((await authenticateRequest(bearer(unknown(kid)), options)).reason).toBe(
          "token-invalid-signature",
        );
      }
      expect(proxy.jwksRequests()).toBe(2);
      advance(5_000);
      await authenticateRequest(bearer(unknown("key_d")), options);
      expect(proxy.jwksRequests()).toBe(3);
      expect(jwksCache.fetchCount).toBe(3);
      // The shared cache (no jwksCache given) also fetches once for many requests.
      const shared = { issuer: server.issuer, apiUrl: proxy.url };
      await Promise.all(
        Array.from({ length: 20 }, () => authenticateRequest(bearer(token), shared)),
      );
      expect(proxy.jwksRequests()).toBe(4);
    } finally {
      await proxy.close();
    }
  });

  it("answers jwks-unavailable when the JWKS cannot be fetched, and serves from cache when it can", async () => {
    const down = fresh({}, await closedUrl());
    const state = await authenticateRequest(bearer(token), down.options);
    expect(state).toMatchObject({ isAuthenticated: false, reason: "jwks-unavailable" });

    const proxy = await startProxy(server.info.url);
    const { options, advance } = fresh({}, proxy.url);
    expect((await authenticateRequest(bearer(token), options)).isAuthenticated).toBe(true);
    await proxy.close();
    advance(10 * 60 * 1000); // past the keys' time to live: a fetch is tried, and fails
    expect((await authenticateRequest(bearer(token), options)).isAuthenticated).toBe(true);
    const [header, payload, signature] = parts(token);
    const unknown = `${b64({ ...decode(header), kid: "key_new" })}.${payload}.${signature}`;
    expect((await authenticateRequest(bearer(unknown), options)).reason).toBe("jwks-unavailable");
  });

  it("verifies with a PEM jwtKey and no network", async () => {
    const jwks = (await (await fetch(jwksUrlOf(server.info.url, server.issuer))).json()) as {
      keys: (JWK & { kid: string; alg: string })[];
    };
    const kid = decode(parts(token)[0]).kid;
    const jwk = jwks.keys.find((k) => k.kid === kid);
    if (!jwk) throw new Error("the token's key is not in the JWKS");
    const pem = await exportSPKI((await importJWK(jwk, jwk.alg)) as CryptoKey);
    const options = { issuer: server.issuer, apiUrl: await closedUrl(), jwtKey: pem };
    expect((await authenticateRequest(bearer(token), options)).toAuth().userId).toBe(user.userId);
    const [header, payload] = parts(token);
    expect((await authenticateRequest(bearer(`${header}.${payload}.AAAA`), options)).reason).toBe(
      "token-invalid-signature",
    );
  });

  it("reads the active organization from the o claim", async () => {
    const orgId = await activeOrganization(server.info, user);
    const orgToken = await sessionToken(server.info, user);
    const auth = (await authenticateRequest(bearer(orgToken), fresh().options)).toAuth();
    expect(auth).toMatchObject({
      userId: user.userId,
      orgId,
      orgRole: "org:admin",
      orgPermissions: [],
    });
    expect(auth.orgSlug).toMatch(/^acme-/);
    expect(auth.has({ role: "org:admin" })).toBe(true);
    expect(auth.has({ role: "admin" })).toBe(true);
    expect(auth.has({ permission: "org:sys_memberships:manage" })).toBe(false);
  });
});

describe("the o claim vector shared with the server and latchkey-verify", () => {
  const vector = JSON.parse(
    readFileSync(new URL("../../../../verify/tests/vectors/o_claim.json", import.meta.url), "utf8"),
  ) as {
    claim: unknown;
    has: { role: string | null; permission: string | null; expected: boolean }[];
  };
  const org = readOrganizationClaim(vector.claim);
  it.each(vector.has)("has(%j)", ({ role, permission, expected }) => {
    expect(organizationHas(org, { role, permission })).toBe(expected);
  });
});
