// The example app's own API, as a connect-style middleware (Vite's dev and preview servers use
// it, and so does the browser suite's app server): `GET /api/me` verifies the request's session
// token (`Authorization: Bearer …`) against the instance's JWKS with `jose`, pinning the issuer
// that Latchkey's `environment` names, and answers who it belongs to.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRemoteJWKSet, jwtVerify } from "jose";

/** Where the API finds Latchkey. */
export interface ApiConfig {
  /** The URL this server reaches Latchkey at, such as `http://127.0.0.1:8080`. */
  apiUrl: string;
  /** The instance's publishable key (to read its `environment`). */
  publishableKey: string;
}

/** What `GET /api/me` answers for a valid token. */
export interface ApiMe {
  userId: string;
  sessionId: string;
  /** The token's `fva`: minutes since the first and the second factor (-1: none). */
  factorAges: [number, number] | null;
  expiresAt: string;
}

async function readIssuer(config: ApiConfig): Promise<{ issuer: string; instanceId: string }> {
  const response = await fetch(`${config.apiUrl}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "latchkey-publishable-key": config.publishableKey,
    },
    body: JSON.stringify({ query: "{ environment { instanceId issuer } }" }),
  });
  const body = (await response.json()) as {
    data?: { environment: { instanceId: string; issuer: string } };
  };
  if (!body.data) throw new Error(`environment: ${JSON.stringify(body)}`);
  return body.data.environment;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

/**
 * The API middleware: answers `GET /api/me` (200 with `ApiMe`, or 401 with `{error}`), passes
 * anything else to `next`. The JWKS is fetched through `apiUrl` (the way this server reaches
 * Latchkey) while the issuer is pinned to the one tokens carry.
 */
export function apiMiddleware(config: ApiConfig) {
  let pinned: Promise<{ issuer: string; jwks: ReturnType<typeof createRemoteJWKSet> }> | undefined;
  const keys = () => {
    pinned ??= readIssuer(config).then(({ issuer, instanceId }) => ({
      issuer,
      jwks: createRemoteJWKSet(new URL(`${config.apiUrl}/i/${instanceId}/.well-known/jwks.json`)),
    }));
    pinned.catch(() => (pinned = undefined));
    return pinned;
  };
  return async (req: IncomingMessage, res: ServerResponse, next: () => void): Promise<void> => {
    if (!req.url?.startsWith("/api/")) return next();
    if (req.url !== "/api/me" || req.method !== "GET")
      return send(res, 404, { error: "not found" });
    const token = req.headers.authorization?.match(/^Bearer (\S+)$/)?.[1];
    if (!token) return send(res, 401, { error: "no session token" });
    try {
      const { issuer, jwks } = await keys();
      const { payload } = await jwtVerify(token, jwks, { issuer, clockTolerance: 5 });
      const me: ApiMe = {
        userId: String(payload.sub),
        sessionId: String(payload["sid"]),
        factorAges: (payload["fva"] as [number, number] | undefined) ?? null,
        expiresAt: new Date((payload.exp ?? 0) * 1000).toISOString(),
      };
      send(res, 200, me);
    } catch (error) {
      send(res, 401, { error: String(error) });
    }
  };
}
