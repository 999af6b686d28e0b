// What the signed-in member may do in an organization, from the permissions of their role.
import type { OrganizationMembershipResource } from "../../resources/organization";

/** Changing the organization's name and slug. */
export const PROFILE_MANAGE = "org:sys_profile:manage";
/** Inviting, removing and changing the role of members. */
export const MEMBERSHIPS_MANAGE = "org:sys_memberships:manage";
/** Reading the members and invitations (every default role). */
export const MEMBERSHIPS_READ = "org:sys_memberships:read";

/** What the profile shows enabled for one member (the server checks again on every change). */
export interface Abilities {
  manageProfile: boolean;
  manageMembers: boolean;
  readMembers: boolean;
}

/** The abilities of a membership; none without one. */
export function abilitiesOf(
  membership: Pick<OrganizationMembershipResource, "permissions"> | null | undefined,
): Abilities {
  const has = (permission: string) => membership?.permissions.includes(permission) ?? false;
  return {
    manageProfile: has(PROFILE_MANAGE),
    manageMembers: has(MEMBERSHIPS_MANAGE),
    readMembers: has(MEMBERSHIPS_READ),
  };
}

/**
 * A role's name for people: the instance's name for it when known, else its key without
 * `org:` in sentence case (`org:billing_manager` → "Billing manager").
 */
export function roleName(key: string, roles?: readonly { key: string; name: string }[]): string {
  const known = roles?.find((r) => r.key === key)?.name;
  if (known) return known;
  const bare = key.replace(/^org:/, "").replace(/_/g, " ");
  return bare.charAt(0).toUpperCase() + bare.slice(1);
}
