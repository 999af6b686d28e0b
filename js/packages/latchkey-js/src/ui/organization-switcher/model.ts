// What OrganizationSwitcher shows, apart from the markup: the active organization (or the
// personal account) and the others to switch to, from one snapshot of the SDK.
import type { OrganizationMembershipResource } from "../../resources/organization";
import type { LatchkeySnapshot } from "../../state";

/** One line of the switcher: an organization, or the personal account (`id: null`). */
export interface SwitcherEntry {
  id: string | null;
  name: string;
  slug: string | null;
  imageUrl: string | null;
  /** The user's role in it (`org:admin`); `null` for the personal account. */
  role: string | null;
}

/** The switcher's content: `active` is `null` for the personal account. */
export interface SwitcherModel {
  active: SwitcherEntry | null;
  /** The active membership (for permissions), `null` for the personal account. */
  activeMembership: OrganizationMembershipResource | null;
  /** What the menu offers to switch to, the personal account first, then by name. */
  choices: SwitcherEntry[];
}

const entryOf = (m: OrganizationMembershipResource): SwitcherEntry => ({
  id: m.organization.id,
  name: m.organization.name,
  slug: m.organization.slug,
  imageUrl: m.organization.imageUrl,
  role: m.role,
});

/**
 * The model of a snapshot; `personalName` labels the personal account, which `hidePersonal`
 * leaves out of the choices. `null` while loading or signed out.
 */
export function switcherModel(
  snapshot: Pick<LatchkeySnapshot, "loaded" | "user" | "organization">,
  personalName: string,
  hidePersonal = false,
): SwitcherModel | null {
  const user = snapshot.user;
  if (!snapshot.loaded || !user) return null;
  const activeId = snapshot.organization?.id ?? null;
  const activeMembership =
    user.organizationMemberships.find((m) => m.organization.id === activeId) ?? null;
  const personal: SwitcherEntry = {
    id: null,
    name: personalName,
    slug: null,
    imageUrl: user.imageUrl,
    role: null,
  };
  const others = user.organizationMemberships
    .filter((m) => m.organization.id !== activeId)
    .map(entryOf)
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    active: activeMembership ? entryOf(activeMembership) : null,
    activeMembership,
    choices: activeMembership && !hidePersonal ? [personal, ...others] : others,
  };
}

/** The letter an organization without an image shows. */
export function organizationInitial(name: string): string {
  return ([...name.trim()][0] ?? "?").toUpperCase();
}

/** A redirect prop's URL with `:id` and `:slug` replaced by the organization's. */
export function organizationUrl(
  url: string | undefined,
  organization: { id: string; slug: string | null },
): string | undefined {
  return url?.replace(/:id\b/g, organization.id).replace(/:slug\b/g, organization.slug ?? "");
}
