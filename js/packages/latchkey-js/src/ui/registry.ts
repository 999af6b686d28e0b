// Every prebuilt component by name: the mount methods of `Latchkey` look components up here.
// To add one: one line below (see README.md in this folder).
import type { ComponentType } from "preact";
import type { ComponentName, ComponentPropsByName } from "./props";
import { SignIn } from "./sign-in/sign-in";
import { SignUp } from "./sign-up/sign-up";
import { UserButton } from "./user-button/user-button";
import { UserProfile } from "./user-profile/user-profile";
import { OrganizationSwitcher } from "./organization-switcher/organization-switcher";
import { OrganizationProfile } from "./organization-profile/organization-profile";
import { CreateOrganization } from "./create-organization/create-organization";

/** The Preact component of each name (a name without one fails to mount, saying so). */
export type Registry = { [N in ComponentName]?: ComponentType<ComponentPropsByName[N]> };

/** The registered components. */
export const registry: Registry = {
  SignIn,
  SignUp,
  UserButton,
  UserProfile,
  OrganizationSwitcher,
  OrganizationProfile,
  CreateOrganization,
};

/** Components that are not a card (while loading: a spinner alone). */
export const INLINE_COMPONENTS: ReadonlySet<ComponentName> = new Set([
  "UserButton",
  "OrganizationSwitcher",
]);

/** Components whose modal is wide (a profile's sections). */
export const WIDE_MODALS: ReadonlySet<ComponentName> = new Set([
  "UserProfile",
  "OrganizationProfile",
]);
