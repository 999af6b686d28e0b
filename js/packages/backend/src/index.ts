// @latchkey/backend: Latchkey for Node (and other Fetch API) backends.
export {
  SESSION_COOKIE,
  authFromClaims,
  authenticateRequest,
  instanceIdOf,
  jwksUrlOf,
  requestHeader,
  requestMethod,
  requestToken,
  requestTokenWithSource,
  sharedJwksCache,
  verifySessionToken,
  type Auth,
  type AuthReason,
  type AuthenticatableRequest,
  type AuthenticateRequestOptions,
  type NodeRequestLike,
  type RequestState,
  type TokenSource,
} from "./authenticate";
export {
  MAX_CLOCK_SKEW_SECONDS,
  Rejection,
  organizationHas,
  readOrganizationClaim,
  type HasParams,
  type OrganizationClaim,
  type RejectionReason,
  type SessionClaims,
} from "./claims";
export {
  ConfigurationError,
  DEFAULT_KEYS_TTL_MS,
  JwksCache,
  MIN_REFETCH_INTERVAL_MS,
  type JwksCacheOptions,
} from "./jwks";
export {
  LatchkeyApiError,
  createLatchkeyClient,
  type LatchkeyClient,
  type LatchkeyClientOptions,
  type Session,
  type TokenVerification,
  type User,
  type UserListParams,
} from "./client";
