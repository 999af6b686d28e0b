// The backend client: Latchkey's GraphQL API with the instance's secret key, for servers only.

/** An error the API answered, with its contract code (`NOT_FOUND`, `RATE_LIMITED`, …). */
export class LatchkeyApiError extends Error {
  /** The error's `extensions.code`. */
  readonly code: string;
  /** The input field at fault (`VALIDATION_FAILED`), when given. */
  readonly field: string | null;
  /** Seconds to wait before trying again (`RATE_LIMITED`, `ACCOUNT_LOCKED`), when given. */
  readonly retryAfter: number | null;
  /** The HTTP status of the answer. */
  readonly status: number;

  constructor(
    message: string,
    details: { code: string; field?: string | null; retryAfter?: number | null; status: number },
  ) {
    super(message);
    this.name = "LatchkeyApiError";
    this.code = details.code;
    this.field = details.field ?? null;
    this.retryAfter = details.retryAfter ?? null;
    this.status = details.status;
  }
}

/** How the client reaches Latchkey. */
export interface LatchkeyClientOptions {
  /** The instance's secret key, `sk_test_…` or `sk_live_…`. */
  secretKey: string;
  /** The URL this server reaches Latchkey at, such as `http://127.0.0.1:8080`. */
  apiUrl: string;
  /** The `fetch` used (the global one by default). */
  fetch?: typeof fetch;
}

/** A user as the backend reads it. */
export interface User {
  id: string;
  externalId: string | null;
  username: string | null;
  firstName: string | null;
  lastName: string | null;
  imageUrl: string | null;
  primaryEmailAddressId: string | null;
  emailAddresses: { id: string; emailAddress: string; verification: { status: string } }[];
  passwordEnabled: boolean;
  totpEnabled: boolean;
  twoFactorEnabled: boolean;
  publicMetadata: Record<string, unknown>;
  privateMetadata: Record<string, unknown> | null;
  unsafeMetadata: Record<string, unknown>;
  banned: boolean;
  locked: boolean;
  lastSignInAt: string | null;
  lastActiveAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A session as the backend reads it. */
export interface Session {
  id: string;
  status: "ACTIVE" | "ENDED" | "EXPIRED" | "REMOVED" | "REVOKED";
  userId: string | null;
  lastActiveAt: string;
  expireAt: string;
  abandonAt: string;
  lastActiveOrganizationId: string | null;
  createdAt: string;
}

/** Which users `getUserList` returns (every condition given must hold). */
export interface UserListParams {
  filter?: {
    emailAddress?: string[];
    username?: string[];
    userId?: string[];
    externalId?: string[];
    organizationId?: string[];
    banned?: boolean;
    createdAfter?: string;
    createdBefore?: string;
    lastSignInAfter?: string;
    lastSignInBefore?: string;
    query?: string;
  };
  orderBy?:
    | "CREATED_AT_ASC"
    | "CREATED_AT_DESC"
    | "UPDATED_AT_ASC"
    | "UPDATED_AT_DESC"
    | "LAST_SIGN_IN_AT_ASC"
    | "LAST_SIGN_IN_AT_DESC"
    | "USERNAME_ASC"
    | "USERNAME_DESC";
  /** 1 to 500 (default 10). */
  limit?: number;
  offset?: number;
}

/** What `verifyToken` found (the server's own check, which also refuses a revoked session). */
export interface TokenVerification {
  isAuthenticated: boolean;
  tokenType: "SESSION_TOKEN" | "API_KEY" | null;
  userId: string | null;
  sessionId: string | null;
  orgId: string | null;
  orgRole: string | null;
  orgPermissions: string[] | null;
  claims: Record<string, unknown> | null;
  subject: string | null;
  scopes: string[] | null;
  reason: string | null;
}

const USER_FIELDS = `id externalId username firstName lastName imageUrl primaryEmailAddressId
  emailAddresses { id emailAddress verification { status } }
  passwordEnabled totpEnabled twoFactorEnabled publicMetadata privateMetadata unsafeMetadata
  banned locked lastSignInAt lastActiveAt createdAt updatedAt`;

const SESSION_FIELDS = `id status user { id } lastActiveAt expireAt abandonAt
  lastActiveOrganizationId createdAt`;

type RawSession = Omit<Session, "userId"> & { user: { id: string } | null };

const session = ({ user, ...rest }: RawSession): Session => ({ ...rest, userId: user?.id ?? null });

/** The backend client returned by {@link createLatchkeyClient}. */
export interface LatchkeyClient {
  /** Sends one GraphQL operation; resolves to its `data`, or throws a {@link LatchkeyApiError}. */
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  users: {
    /** The user with this id (`NOT_FOUND` otherwise). */
    getUser(id: string): Promise<User>;
    /** A page of users, with the count of every user passing the filter. */
    getUserList(params?: UserListParams): Promise<{ data: User[]; totalCount: number }>;
  };
  sessions: {
    /** Revokes an active session: its tokens stop passing `verifyToken` at once. */
    revokeSession(id: string): Promise<Session>;
  };
  /** The server's check of a token (session token by default, or API keys when accepted). */
  verifyToken(
    token: string,
    options?: {
      authorizedParties?: string[];
      acceptsToken?: ("SESSION_TOKEN" | "API_KEY")[];
    },
  ): Promise<TokenVerification>;
}

/**
 * A client of the backend API with the instance's secret key. Refuses to be built in a browser
 * (a secret key must never ship in a bundle).
 */
export function createLatchkeyClient(options: LatchkeyClientOptions): LatchkeyClient {
  if (typeof window !== "undefined") {
    throw new Error(
      "@latchkey/backend: a secret key is for servers only, never for a browser bundle",
    );
  }
  if (!/^sk_(test|live)_/.test(options.secretKey)) {
    throw new TypeError("@latchkey/backend: secretKey must be an sk_test_… or sk_live_… key");
  }
  const endpoint = `${options.apiUrl.replace(/\/+$/, "")}/graphql`;
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));

  async function request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await doFetch(endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${options.secretKey}`,
      },
      body: JSON.stringify({ query, variables }),
    });
    let body: {
      data?: T | null;
      errors?: { message?: string; extensions?: Record<string, unknown> }[];
    };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new LatchkeyApiError(`Latchkey answered ${response.status} without JSON`, {
        code: response.ok ? "INTERNAL" : `HTTP_${response.status}`,
        status: response.status,
      });
    }
    const error = body.errors?.[0];
    if (error) {
      const ext = error.extensions ?? {};
      const retryHeader = Number(response.headers.get("retry-after"));
      throw new LatchkeyApiError(error.message ?? "Latchkey refused the request", {
        code: typeof ext.code === "string" ? ext.code : "INTERNAL",
        field: typeof ext.field === "string" ? ext.field : null,
        retryAfter:
          typeof ext.retryAfter === "number"
            ? ext.retryAfter
            : Number.isFinite(retryHeader) && retryHeader > 0
              ? retryHeader
              : null,
        status: response.status,
      });
    }
    if (!response.ok || body.data == null) {
      throw new LatchkeyApiError(`Latchkey answered ${response.status} without data`, {
        code: "INTERNAL",
        status: response.status,
      });
    }
    return body.data;
  }

  return {
    request,
    users: {
      getUser: async (id) =>
        (
          await request<{ user: User }>(`query($id: ID!) { user(id: $id) { ${USER_FIELDS} } }`, {
            id,
          })
        ).user,
      getUserList: async (params = {}) =>
        (
          await request<{ users: { data: User[]; totalCount: number } }>(
            `query($filter: UserFilterInput, $orderBy: UserOrderBy, $limit: Int, $offset: Int) {
              users(filter: $filter, orderBy: $orderBy, limit: $limit, offset: $offset) {
                data { ${USER_FIELDS} } totalCount
              }
            }`,
            { ...params },
          )
        ).users,
    },
    sessions: {
      revokeSession: async (id) =>
        session(
          (
            await request<{ revokeSession: RawSession }>(
              `mutation($id: ID!) { revokeSession(id: $id) { ${SESSION_FIELDS} } }`,
              { id },
            )
          ).revokeSession,
        ),
    },
    verifyToken: async (token, verifyOptions = {}) =>
      (
        await request<{ verifyToken: TokenVerification }>(
          `mutation($token: String!, $authorizedParties: [String!], $acceptsToken: [TokenType!]) {
            verifyToken(token: $token, authorizedParties: $authorizedParties, acceptsToken: $acceptsToken) {
              isAuthenticated tokenType userId sessionId orgId orgRole orgPermissions claims
              subject scopes reason
            }
          }`,
          { token, ...verifyOptions },
        )
      ).verifyToken,
  };
}
