// @latchkey/react: React bindings over @latchkey/js (bundled by the app, not loaded from the
// server: see the package's README).
export { LatchkeyProvider, type LatchkeyProviderProps } from "./provider";
export { useLatchkey, useLatchkeySnapshot } from "./context";
export { useAuth, type UseAuthResult, type HasParams } from "./auth";
export { useUser, useSession, useSessionList, useSignIn, useSignUp } from "./resources";
export {
  useOrganization,
  useOrganizationList,
  type UseOrganizationResult,
  type UseOrganizationListResult,
} from "./organization";
export { type PaginatedResources, type PaginationParams } from "./paginated";
export { useReverification, type NeedsReverification } from "./reverification";
export {
  SignedIn,
  SignedOut,
  Protect,
  LatchkeyLoaded,
  LatchkeyLoading,
  type ProtectProps,
} from "./components";
export {
  SignIn,
  SignUp,
  UserButton,
  UserProfile,
  OrganizationSwitcher,
  OrganizationProfile,
  CreateOrganization,
} from "./prebuilt";
export type {
  Appearance,
  CreateOrganizationProps,
  LocalizationResource,
  OrganizationProfileProps,
  OrganizationSwitcherProps,
  SignInProps,
  SignUpProps,
  UserButtonProps,
  UserProfileProps,
} from "@latchkey/js";
