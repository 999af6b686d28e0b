import { type Core, toDate } from "../core";
import {
  AcceptOrganizationInvitationDocument,
  CreateOrganizationInvitationDocument,
  DeleteOrganizationMembershipDocument,
  type DeleteOrganizationMembershipMutation,
  type InvitationFieldsFragment,
  type InvitationStatus,
  MeDocument,
  type MembershipFieldsFragment,
  OrganizationInvitationsDocument,
  OrganizationMembershipsDocument,
  type OrganizationFieldsFragment,
  RevokeOrganizationInvitationDocument,
  RolesDocument,
  type RolesQuery,
  UpdateOrganizationDocument,
  UpdateOrganizationMembershipDocument,
} from "../generated/graphql";

/** A page of a paginated list: its items and how many there are in all. */
export interface Page<T> {
  data: T[];
  totalCount: number;
}

/** A membership just removed (the organization is not read again: a member who left may not). */
export type RemovedMembership =
  DeleteOrganizationMembershipMutation["deleteOrganizationMembership"];

/** A role of the instance (`org:admin`, `org:member`, custom ones) with its permissions. */
export type RoleData = RolesQuery["roles"][number];

/** Reads the signed-in user again, so their memberships (and the snapshot) follow a change. */
async function reloadAccount(core: Core): Promise<void> {
  core.applyUser((await core.asUser(MeDocument, {})).me);
}

/** An organization the signed-in user belongs to (Clerk's `Organization`). */
export class OrganizationResource {
  readonly #core: Core;
  readonly id: string;
  readonly name: string;
  readonly slug: string;
  readonly imageUrl: string | null;
  readonly publicMetadata: Record<string, unknown>;
  readonly maxAllowedMemberships: number;
  readonly membersCount: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;

  /** A resource over the server's data. */
  constructor(core: Core, data: OrganizationFieldsFragment) {
    this.#core = core;
    this.id = data.id;
    this.name = data.name;
    this.slug = data.slug;
    this.imageUrl = data.imageUrl;
    this.publicMetadata = data.publicMetadata;
    this.maxAllowedMemberships = data.maxAllowedMemberships;
    this.membersCount = data.membersCount;
    this.createdAt = toDate(data.createdAt);
    this.updatedAt = toDate(data.updatedAt);
  }

  /**
   * A page of the organization's members (`pageSize`, default 10; `initialPage` from 1). Needs
   * `org:sys_memberships:read`, which every default role has.
   */
  async getMemberships(
    params: { pageSize?: number; initialPage?: number } = {},
  ): Promise<Page<OrganizationMembershipResource>> {
    const pageSize = params.pageSize ?? 10;
    const page = Math.max(1, params.initialPage ?? 1);
    const data = await this.#core.asUser(OrganizationMembershipsDocument, {
      organizationId: this.id,
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    const list = data.organizationMemberships;
    return {
      totalCount: list.totalCount,
      data: list.data.map((m) => new OrganizationMembershipResource(this.#core, m)),
    };
  }

  /**
   * Changes the name or slug (`org:sys_profile:manage`, which `org:admin` has; `FORBIDDEN`
   * otherwise); the user's memberships are read again so every listener sees the change.
   */
  async update(params: { name?: string; slug?: string }): Promise<OrganizationResource> {
    const data = await this.#core.asUser(UpdateOrganizationDocument, {
      id: this.id,
      input: params,
    });
    await reloadAccount(this.#core);
    return new OrganizationResource(this.#core, data.updateOrganization);
  }

  /** The organization's invitations, newest first (`status` filters; `pageSize` default 50). */
  async getInvitations(
    params: { status?: InvitationStatus; pageSize?: number } = {},
  ): Promise<OrganizationInvitationResource[]> {
    const data = await this.#core.asUser(OrganizationInvitationsDocument, {
      organizationId: this.id,
      status: params.status ?? null,
      limit: params.pageSize ?? 50,
    });
    return data.organizationInvitations.map(
      (i) => new OrganizationInvitationResource(this.#core, i),
    );
  }

  /**
   * Invites an email address with a role (default `org:member`; needs
   * `org:sys_memberships:manage`). The server mails it; with `redirectUrl` (a page on one of the
   * instance's allowed origins) the mail links there with `__latchkey_invitation=<id>` added.
   */
  async inviteMember(params: {
    emailAddress: string;
    role?: string;
    redirectUrl?: string;
  }): Promise<OrganizationInvitationResource> {
    const data = await this.#core.asUser(CreateOrganizationInvitationDocument, {
      organizationId: this.id,
      emailAddress: params.emailAddress,
      role: params.role ?? null,
      redirectUrl: params.redirectUrl ?? null,
    });
    return new OrganizationInvitationResource(this.#core, data.createOrganizationInvitation);
  }

  /** Changes a member's role (`org:sys_memberships:manage`; one manager always stays). */
  async updateMember(params: {
    userId: string;
    role: string;
  }): Promise<OrganizationMembershipResource> {
    const data = await this.#core.asUser(UpdateOrganizationMembershipDocument, {
      organizationId: this.id,
      userId: params.userId,
      role: params.role,
    });
    await reloadAccount(this.#core);
    return new OrganizationMembershipResource(this.#core, data.updateOrganizationMembership);
  }

  /**
   * Removes a member (`org:sys_memberships:manage`), or the signed-in user leaving (allowed to
   * any member, unless they are its last manager). The organization stops being active in the
   * member's sessions; the user's memberships and this client are read again.
   */
  async removeMember(userId: string): Promise<RemovedMembership> {
    const data = await this.#core.asUser(DeleteOrganizationMembershipDocument, {
      organizationId: this.id,
      userId,
    });
    await reloadAccount(this.#core);
    await this.#core.reloadClient();
    return data.deleteOrganizationMembership;
  }

  /** The roles a member may be given (the instance's roles, read with the session token). */
  async getRoles(): Promise<RoleData[]> {
    return (await this.#core.asUser(RolesDocument, {})).roles;
  }
}

/** A user's membership of an organization: its role and permissions (Clerk's `OrganizationMembership`). */
export class OrganizationMembershipResource {
  readonly id: string;
  readonly organization: OrganizationResource;
  readonly userId: string;
  /** The role's key, such as `org:admin`. */
  readonly role: string;
  /** Every permission the role grants, system ones included (`org:sys_memberships:read`). */
  readonly permissions: string[];
  readonly publicMetadata: Record<string, unknown>;
  readonly publicUserData: MembershipFieldsFragment["publicUserData"];
  readonly createdAt: Date;
  readonly updatedAt: Date;

  /** A resource over the server's data. */
  constructor(core: Core, data: MembershipFieldsFragment) {
    this.id = data.id;
    this.organization = new OrganizationResource(core, data.organization);
    this.userId = data.userId;
    this.role = data.role;
    this.permissions = data.permissions;
    this.publicMetadata = data.publicMetadata;
    this.publicUserData = data.publicUserData;
    this.createdAt = toDate(data.createdAt);
    this.updatedAt = toDate(data.updatedAt);
  }

  /** Changes this member's role (Clerk's `membership.update`). */
  update(params: { role: string }): Promise<OrganizationMembershipResource> {
    return this.organization.updateMember({ userId: this.userId, role: params.role });
  }

  /** Removes this member, or leaves when it is the user's own (Clerk's `membership.destroy`). */
  destroy(): Promise<RemovedMembership> {
    return this.organization.removeMember(this.userId);
  }
}

/**
 * An invitation of an email address into an organization: seen by the organization's members
 * (`revoke`), and by the invited user among their own (`accept`).
 */
export class OrganizationInvitationResource {
  readonly #core: Core;
  /** The invitation's id (`orginv_…`). */
  readonly id: string;
  readonly organizationId: string;
  readonly emailAddress: string;
  /** The role the invitee gets. */
  readonly role: string;
  readonly status: InvitationStatus;
  readonly expiresAt: Date;
  readonly createdAt: Date;
  readonly updatedAt: Date;

  /** A resource over the server's data. */
  constructor(core: Core, data: InvitationFieldsFragment) {
    this.#core = core;
    this.id = data.id;
    this.organizationId = data.organizationId;
    this.emailAddress = data.emailAddress;
    this.role = data.role;
    this.status = data.status;
    this.expiresAt = toDate(data.expiresAt);
    this.createdAt = toDate(data.createdAt);
    this.updatedAt = toDate(data.updatedAt);
  }

  /** Revokes it while pending (a member with `org:sys_memberships:manage`). */
  async revoke(): Promise<OrganizationInvitationResource> {
    const data = await this.#core.asUser(RevokeOrganizationInvitationDocument, {
      organizationId: this.organizationId,
      invitationId: this.id,
    });
    return new OrganizationInvitationResource(this.#core, data.revokeOrganizationInvitation);
  }

  /**
   * Accepts it (the signed-in user holding the invited address verified): they join with its
   * role, and their memberships are read again. `VERIFICATION_EXPIRED` past its expiry.
   */
  async accept(): Promise<OrganizationMembershipResource> {
    const data = await this.#core.asUser(AcceptOrganizationInvitationDocument, {
      invitationId: this.id,
    });
    await reloadAccount(this.#core);
    return new OrganizationMembershipResource(this.#core, data.acceptOrganizationInvitation);
  }
}
