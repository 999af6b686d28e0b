// The real latchkey server for these tests (started with the browser suite's own code), a user
// signed up through the frontend API, session tokens from the token endpoint, and a proxy in
// front of the server that counts JWKS fetches and can be closed (an outage).
import { type Server, createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { type ServerInfo, buildServer, startServer } from "../../../browser/server";
import { createLatchkeyClient } from "../src/index";

/** A running server, its instance, and a signed-up user's session on one client. */
export interface TestServer {
  info: ServerInfo;
  issuer: string;
  instanceId: string;
  stop: () => Promise<void>;
}

/** Starts the binary named by `LATCHKEY_BINARY` (else builds it) on a fresh database. */
export async function startTestServer(): Promise<TestServer> {
  const binary = process.env.LATCHKEY_BINARY ?? buildServer();
  const { info, stop } = await startServer(binary);
  const env = await frontend<{ environment: { instanceId: string; issuer: string } }>(
    info,
    "{ environment { instanceId issuer } }",
  );
  return {
    info,
    issuer: env.data.environment.issuer,
    instanceId: env.data.environment.instanceId,
    stop,
  };
}

async function frontend<T>(
  info: ServerInfo,
  query: string,
  client?: string,
): Promise<{ data: T; client: string | null }> {
  const response = await fetch(`${info.url}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "latchkey-publishable-key": info.publishableKey,
      ...(client ? { "latchkey-client": client } : {}),
    },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (!body.data) throw new Error(`${query}: ${JSON.stringify(body)}`);
  return { data: body.data, client: response.headers.get("latchkey-client") };
}

/** A user signed up with a `+latchkey_test` address (code 424242), with its session and client. */
export interface SignedUp {
  userId: string;
  sessionId: string;
  client: string;
  email: string;
}

/** Signs a new user up through the frontend API. */
export async function signUp(info: ServerInfo): Promise<SignedUp> {
  const email = `jane${Math.random().toString(36).slice(2, 8)}+latchkey_test@example.com`;
  const created = await frontend<unknown>(
    info,
    `mutation { createSignUp(input: {emailAddress: "${email}", password: "a sturdy passphrase 42"}) { id } }`,
  );
  const client = created.client;
  if (!client) throw new Error("no client token");
  await frontend(
    info,
    "mutation { prepareSignUpVerification(strategy: EMAIL_CODE) { id } }",
    client,
  );
  const done = await frontend<{
    attemptSignUpVerification: { status: string; createdUserId: string; createdSessionId: string };
  }>(
    info,
    'mutation { attemptSignUpVerification(code: "424242") { status createdUserId createdSessionId } }',
    client,
  );
  const { createdUserId, createdSessionId } = done.data.attemptSignUpVerification;
  return { userId: createdUserId, sessionId: createdSessionId, client, email };
}

/** A session token from the token endpoint, with `origin` as the request's `Origin` (its `azp`). */
export async function sessionToken(
  info: ServerInfo,
  user: SignedUp,
  origin?: string,
): Promise<string> {
  const response = await fetch(`${info.url}/v1/client/sessions/${user.sessionId}/tokens`, {
    method: "POST",
    headers: {
      "latchkey-publishable-key": info.publishableKey,
      "latchkey-client": user.client,
      ...(origin ? { origin } : {}),
    },
  });
  const body = (await response.json()) as { jwt?: string };
  if (!body.jwt) throw new Error(`token endpoint: ${response.status} ${JSON.stringify(body)}`);
  return body.jwt;
}

/**
 * Creates an organization (through the backend) whose first admin is `user`, and makes it active
 * in the user's session: the next session token carries it in `o`. Resolves with its id.
 */
export async function activeOrganization(info: ServerInfo, user: SignedUp): Promise<string> {
  const client = createLatchkeyClient({ secretKey: info.secretKey, apiUrl: info.url });
  const { createOrganization } = await client.request<{ createOrganization: { id: string } }>(
    `mutation($by: ID!) { createOrganization(name: "Acme", slug: "acme-${Math.random().toString(36).slice(2, 10)}", createdBy: $by) { id } }`,
    { by: user.userId },
  );
  await frontend(
    info,
    `mutation { setActiveSession(sessionId: "${user.sessionId}", organizationId: "${createOrganization.id}") { id } }`,
    user.client,
  );
  return createOrganization.id;
}

/** A pass-through proxy to the server that counts JWKS requests and can be closed. */
export interface Proxy {
  url: string;
  jwksRequests: () => number;
  close: () => Promise<void>;
}

/** Starts a proxy to `target` on a free port. */
export async function startProxy(target: string): Promise<Proxy> {
  const upstream = new URL(target);
  let jwks = 0;
  const server: Server = createServer((req, res) => {
    if (req.url?.endsWith("/.well-known/jwks.json")) jwks += 1;
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    jwksRequests: () => jwks,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** A URL where nothing listens (a port just freed). */
export async function closedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return `http://127.0.0.1:${port}`;
}
