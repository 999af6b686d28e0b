import type { OrganizationMembershipResource, OrganizationResource } from "@latchkey/js";
import { useCallback } from "react";
import { useLatchkey, useLatchkeySnapshot } from "./context";
import { type PaginatedResources, type PaginationParams, usePaginated } from "./paginated";

/** What `useOrganization` answers (Clerk's shape). */
export interface UseOrganizationResult {
  isLoaded: boolean;
  /** `undefined` while loading, `null` with no active organization. */
  organization: OrganizationResource | null | undefined;
  /** The signed-in user's membership of it. */
  membership: OrganizationMembershipResource | null | undefined;
  /** The organization's members, when asked for with `{memberships: {...}}`. */
  memberships: PaginatedResources<OrganizationMembershipResource> | undefined;
}

/**
 * The active organization, the user's membership of it, and, with `memberships`, a paginated
 * list of its members (`pageSize`, `infinite` for "load more").
 */
export function useOrganization(
  params: { memberships?: PaginationParams | true } = {},
): UseOrganizationResult {
  const { organization, user } = useLatchkeySnapshot();
  const asked = params.memberships === true ? {} : params.memberships;
  const fetcher = useCallback(
    (page: number, pageSize: number) => {
      if (!organization) return Promise.resolve({ data: [], totalCount: 0 });
      return organization.getMemberships({ initialPage: page, pageSize });
    },
    [organization],
  );
  const memberships = usePaginated(
    asked && organization ? fetcher : undefined,
    asked ? organization?.id : undefined,
    asked ?? {},
  );
  const membership =
    organization === undefined
      ? undefined
      : (user?.organizationMemberships.find((m) => m.organization.id === organization?.id) ?? null);
  return {
    isLoaded: organization !== undefined,
    organization,
    membership,
    memberships: asked ? memberships : undefined,
  };
}

/** What `useOrganizationList` answers. */
export interface UseOrganizationListResult {
  isLoaded: boolean;
  /** The user's memberships (every organization they belong to). */
  userMemberships: {
    data: OrganizationMembershipResource[] | undefined;
    count: number;
    isLoading: boolean;
  };
  /** Creates an organization whose first admin is the user. */
  createOrganization:
    ((params: { name: string; slug?: string }) => Promise<OrganizationResource>) | undefined;
  /** Makes an organization (or none) active in the session. */
  setActive:
    ((params: { organization: OrganizationResource | string | null }) => Promise<void>) | undefined;
}

/** The organizations the signed-in user belongs to, to list, create and switch between. */
export function useOrganizationList(): UseOrganizationListResult {
  const latchkey = useLatchkey();
  const { user } = useLatchkeySnapshot();
  const createOrganization = useCallback(
    async (params: { name: string; slug?: string }) => {
      const current = latchkey.user;
      if (!current) throw new Error("createOrganization: nobody is signed in");
      return current.createOrganization(params);
    },
    [latchkey],
  );
  const setActive = useCallback(
    (params: { organization: OrganizationResource | string | null }) =>
      latchkey.setActive({ organization: params.organization }),
    [latchkey],
  );
  const data = user?.organizationMemberships;
  return {
    isLoaded: user !== undefined,
    userMemberships: { data, count: data?.length ?? 0, isLoading: user === undefined },
    createOrganization: user ? createOrganization : undefined,
    setActive: user ? setActive : undefined,
  };
}
