// @latchkey/js: the browser SDK. See the package's README for the how-to.
export {
  Latchkey,
  type EnvironmentData,
  type LatchkeyOptions,
  type PortalUrlOptions,
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
  OrganizationInvitationResource,
  type Page,
  type RemovedMembership,
  type RoleData,
} from "./resources/organization";
export { SignInResource, type SignInStatus } from "./resources/sign-in";
export { SignUpResource, type SignUpStatus } from "./resources/sign-up";
export type { GetTokenOptions } from "./tokens/manager";
export type { KeyValueStorage } from "./storage";
export type { InstanceKind } from "./keys";
export type {
  FirstFactorStrategy,
  InvitationStatus,
  MySessionFieldsFragment as MySession,
  ReverificationStatus,
  ReverificationStrategy,
  SessionReverificationFieldsFragment as SessionReverification,
  SecondFactorStrategy,
  SignUpInput,
  UpdateMeInput,
} from "./generated/graphql";
export type {
  Appearance,
  AppearanceVariables,
  ComponentName,
  ComponentProps,
  CreateOrganizationProps,
  ElementStyle,
  OrganizationProfileProps,
  OrganizationSwitcherProps,
  Routing,
  SignInProps,
  SignUpProps,
  UserButtonProps,
  UserProfileProps,
} from "./ui/props";
export type { LocalizationResource } from "./ui/localization/types";
