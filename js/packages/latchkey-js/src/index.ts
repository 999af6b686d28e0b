// @latchkey/js: the browser SDK. See the package's README for the how-to.
export {
  Latchkey,
  type EnvironmentData,
  type LatchkeyOptions,
  type SetActiveParams,
} from "./latchkey";
export {
  LatchkeyError,
  isLatchkeyError,
  type LatchkeyErrorCode,
  type LatchkeyErrorDetail,
} from "./errors";
export type { AuthState, InitialState, LatchkeySnapshot, LatchkeyStatus } from "./state";
export { ClientResource } from "./resources/client";
export { SessionResource, type SessionStatus } from "./resources/session";
export { UserResource } from "./resources/user";
export { EmailAddressResource } from "./resources/email-address";
export {
  OrganizationResource,
  OrganizationMembershipResource,
  type Page,
} from "./resources/organization";
export { SignInResource, type SignInStatus } from "./resources/sign-in";
export { SignUpResource, type SignUpStatus } from "./resources/sign-up";
export type { GetTokenOptions } from "./tokens/manager";
export type { KeyValueStorage } from "./storage";
export type { InstanceKind } from "./keys";
export type {
  FirstFactorStrategy,
  MySessionFieldsFragment as MySession,
  ReverificationStatus,
  ReverificationStrategy,
  SessionReverificationFieldsFragment as SessionReverification,
  SecondFactorStrategy,
  SignUpInput,
  UpdateMeInput,
} from "./generated/graphql";
