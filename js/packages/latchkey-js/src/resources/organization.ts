import { type Core, toDate } from "../core";
import {
  type MembershipFieldsFragment,
  OrganizationMembershipsDocument,
  type OrganizationFieldsFragment,
} from "../generated/graphql";

/** A page of a paginated list: its items and how many there are in all. */
export interface Page<T> {
  data: T[];
  totalCount: number;
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
}
