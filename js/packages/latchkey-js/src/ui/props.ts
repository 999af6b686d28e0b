// The props of the prebuilt components: what every component shares (appearance, localization,
// routing, redirects) and what each adds.
import type { LocalizationResource } from "./localization/types";

/** The theme's variables; each becomes a CSS custom property on the component's shadow host. */
export interface AppearanceVariables {
  colorPrimary?: string;
  colorBackground?: string;
  colorText?: string;
  colorTextSecondary?: string;
  colorDanger?: string;
  colorInputBackground?: string;
  colorInputText?: string;
  fontFamily?: string;
  fontSize?: string;
  borderRadius?: string;
}

/** CSS declarations for one element, camelCase or kebab-case (`{ backgroundColor: "#fff" }`). */
export type ElementStyle = Partial<Record<string, string | number>>;

/**
 * How the components look: `variables` override the light and dark defaults, and `elements`
 * styles each element by its key (the same key is its `part` attribute, for `::part()`).
 */
export interface Appearance {
  variables?: AppearanceVariables;
  elements?: Record<string, ElementStyle>;
}

/** How a component keeps its current step: in memory, in `location.hash`, or below `path`. */
export type Routing = "virtual" | "hash" | "path";

/** The props every component takes. */
export interface ComponentProps {
  appearance?: Appearance;
  /** Texts merged over English (keys grouped per component: `{ signIn: { title: "…" } }`). */
  localization?: LocalizationResource;
  /** Where the steps are kept (default `"virtual"`). */
  routing?: Routing;
  /** With `routing: "path"`: the path the component is mounted at, such as `/sign-in`. */
  path?: string;
  /** Where the sign-in page is (links from sign-up, and "add an account"). */
  signInUrl?: string;
  /** Where the sign-up page is (links from sign-in). */
  signUpUrl?: string;
  /** Where to go after signing in or up when the page has no `redirect_url`. */
  fallbackRedirectUrl?: string;
  /** Where to go after signing in or up, whatever the page's `redirect_url` says. */
  forceRedirectUrl?: string;
  /** Where to go after signing out. */
  afterSignOutUrl?: string;
}

/** `<SignIn/>`'s props. */
export interface SignInProps extends ComponentProps {
  /** Values to start the form with. */
  initialValues?: { identifier?: string };
}

/** `<SignUp/>`'s props. */
export interface SignUpProps extends ComponentProps {
  /** Values to start the form with. */
  initialValues?: {
    emailAddress?: string;
    username?: string;
    firstName?: string;
    lastName?: string;
  };
  /** Saved with the user (`unsafeMetadata`). */
  unsafeMetadata?: Record<string, unknown>;
}

/** `<UserButton/>`'s props. */
export interface UserButtonProps extends ComponentProps {
  /** Show the user's name beside the avatar. */
  showName?: boolean;
  /** "Manage account" opens `<UserProfile/>` in a modal (default) or goes to `userProfileUrl`. */
  userProfileMode?: "modal" | "navigation";
  userProfileUrl?: string;
  /** Props of the `<UserProfile/>` the modal shows. */
  userProfileProps?: UserProfileProps;
}

/** `<UserProfile/>`'s props. */
export interface UserProfileProps extends ComponentProps {}

/** `<OrganizationSwitcher/>`'s props. */
export interface OrganizationSwitcherProps extends ComponentProps {
  /** Leave out the personal account (no organization). */
  hidePersonal?: boolean;
  createOrganizationMode?: "modal" | "navigation";
  createOrganizationUrl?: string;
  organizationProfileMode?: "modal" | "navigation";
  organizationProfileUrl?: string;
  afterSelectOrganizationUrl?: string;
  afterCreateOrganizationUrl?: string;
  /** Props of the `<OrganizationProfile/>` the modal shows. */
  organizationProfileProps?: OrganizationProfileProps;
}

/** `<OrganizationProfile/>`'s props. */
export interface OrganizationProfileProps extends ComponentProps {
  afterLeaveOrganizationUrl?: string;
  /** A page on an allowed origin the invitation mail links to (`__latchkey_invitation=<id>` added). */
  invitationRedirectUrl?: string;
}

/** `<CreateOrganization/>`'s props. */
export interface CreateOrganizationProps extends ComponentProps {
  afterCreateOrganizationUrl?: string;
  skipInvitationScreen?: boolean;
}

/** Each component's props, by the component's name. */
export interface ComponentPropsByName {
  SignIn: SignInProps;
  SignUp: SignUpProps;
  UserButton: UserButtonProps;
  UserProfile: UserProfileProps;
  OrganizationSwitcher: OrganizationSwitcherProps;
  OrganizationProfile: OrganizationProfileProps;
  CreateOrganization: CreateOrganizationProps;
}

/** The name of a prebuilt component. */
export type ComponentName = keyof ComponentPropsByName;
