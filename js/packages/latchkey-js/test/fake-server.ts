// A scripted stand-in for the server's HTTP answers, for the Latchkey object's unit tests (the
// browser suite runs the real server).
import { jwtFor } from "./fakes";

export interface Recorded {
  url: string;
  operation: string | undefined;
  headers: Record<string, string>;
  credentials: RequestCredentials | undefined;
  body: unknown;
}

/** Jane as her own session token reads her (memberships included). */
export const account = {
  id: "user_1",
  externalId: null,
  username: null,
  firstName: "Jane",
  lastName: "Doe",
  imageUrl: null,
  primaryEmailAddressId: "idn_1",
  emailAddresses: [
    { id: "idn_1", emailAddress: "jane@example.com", verification: { status: "VERIFIED" } },
  ],
  organizationMemberships: [
    {
      id: "mem_1",
      organizationId: "org_1",
      userId: "user_1",
      role: "org:admin",
      permissions: ["org:sys_memberships:read", "org:sys_memberships:manage"],
      publicMetadata: {},
      createdAt: "2026-01-01T00:00:00Z",
      updatedAt: "2026-01-01T00:00:00Z",
      organization: {
        id: "org_1",
        name: "Acme",
        slug: "acme",
        imageUrl: null,
        publicMetadata: {},
        maxAllowedMemberships: 5,
        membersCount: 1,
        createdAt: "2026-01-01T00:00:00Z",
        updatedAt: "2026-01-01T00:00:00Z",
      },
      publicUserData: null,
    },
  ],
  passwordEnabled: true,
  totpEnabled: false,
  backupCodeEnabled: false,
  twoFactorEnabled: false,
  publicMetadata: {},
  unsafeMetadata: {},
  lastSignInAt: null,
  lastActiveAt: null,
  createdAt: "2026-01-01T00:00:00Z",
  updatedAt: "2026-01-01T00:00:00Z",
};

/** Jane as a client reads her: without memberships. */
const { organizationMemberships: _memberships, ...user } = account;

/** A client with one active session of Jane in Acme (or none). */
export function clientData(signedIn: boolean, status = "ACTIVE") {
  return {
    id: "client_1",
    lastActiveSessionId: signedIn ? "sess_1" : null,
    sessions: signedIn
      ? [
          {
            id: "sess_1",
            status,
            lastActiveAt: "2026-01-01T00:00:00Z",
            expireAt: "2026-01-08T00:00:00Z",
            abandonAt: "2026-01-08T00:00:00Z",
            lastActiveOrganizationId: "org_1",
            createdAt: "2026-01-01T00:00:00Z",
            user,
          },
        ]
      : [],
    signIn: null,
    signUp: null,
  };
}

/** An instance's `environment`, as the server answers it. */
export const environment = {
  instanceId: "ins_1",
  name: "Acme",
  instanceEnvironment: "DEVELOPMENT",
  logoUrl: null,
  issuer: "http://127.0.0.1:8080/i/ins_1",
  accountPortalUrl: "http://127.0.0.1:8080/i/ins_1",
  signUp: {
    mode: "PUBLIC",
    emailAddress: "REQUIRED",
    username: "OFF",
    password: "REQUIRED",
    firstName: "OPTIONAL",
    lastName: "OPTIONAL",
  },
  passwordPolicy: { minLength: 8, maxLength: 256, rejectCompromised: true },
  firstFactors: ["PASSWORD", "EMAIL_CODE"],
  secondFactors: ["TOTP", "BACKUP_CODE"],
  multiSession: false,
  deleteSelfEnabled: true,
  organizationsEnabled: true,
  reverificationWindowSeconds: 600,
};

type Answer = { status?: number; body: unknown; headers?: Record<string, string> } | Error;

/**
 * A fetch that records each request and answers from `answer(operation or path)`; `Environment`
 * is answered with `environment` unless `answer` gives one (or fails the request).
 */
export function fakeFetch(answer: (operation: string, request: Recorded) => Answer) {
  const requests: Recorded[] = [];
  const fetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    const query = (body as { query?: string } | undefined)?.query;
    const operation = query?.match(/(?:query|mutation|subscription)\s+(\w+)/)?.[1];
    const recorded: Recorded = {
      url: String(url),
      operation,
      headers: { ...(init?.headers as Record<string, string>) },
      credentials: init?.credentials,
      body,
    };
    requests.push(recorded);
    let answered = answer(operation ?? new URL(String(url)).pathname, recorded);
    if (operation === "Environment" && !(answered instanceof Error)) {
      const data = (answered.body as { data?: { environment?: unknown } } | null)?.data;
      if (!data?.environment) answered = { body: { data: { environment } } };
    }
    if (answered instanceof Error) throw answered;
    return new Response(JSON.stringify(answered.body), {
      status: answered.status ?? 200,
      headers: { "content-type": "application/json", ...answered.headers },
    });
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

/** A token endpoint's answer. */
export function tokenAnswer(now = Date.now()) {
  return { body: { jwt: jwtFor(now, 60_000), expiresAt: new Date(now + 60_000).toISOString() } };
}
