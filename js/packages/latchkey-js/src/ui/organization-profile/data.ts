// What OrganizationProfile reads from the server: the members, the pending invitations and the
// roles a member may be given.
import type {
  OrganizationInvitationResource,
  OrganizationMembershipResource,
  OrganizationResource,
  RoleData,
} from "../../resources/organization";

/** Everything the members tab shows. */
export interface ProfileData {
  members: OrganizationMembershipResource[];
  totalMembers: number;
  invitations: OrganizationInvitationResource[];
  roles: RoleData[];
}

/** How many members the profile lists (the server allows up to 500 a page). */
export const MEMBERS_PAGE = 100;

/** Reads the members, pending invitations and roles of `organization` at once. */
export async function loadProfileData(organization: OrganizationResource): Promise<ProfileData> {
  const [members, invitations, roles] = await Promise.all([
    organization.getMemberships({ pageSize: MEMBERS_PAGE }),
    organization.getInvitations({ status: "PENDING" }),
    organization.getRoles(),
  ]);
  return { members: members.data, totalMembers: members.totalCount, invitations, roles };
}

/** The name to show for a member: full name, else username, else identifier, else the id. */
export function memberName(
  member: Pick<OrganizationMembershipResource, "publicUserData" | "userId">,
): string {
  const data = member.publicUserData;
  const full = [data?.firstName, data?.lastName].filter(Boolean).join(" ");
  return full || data?.username || data?.identifier || member.userId;
}
