import { type Core, toDate } from "../core";
import {
  type AccountFieldsFragment,
  CreateBackupCodesDocument,
  CreateEmailAddressDocument,
  CreateOrganizationDocument,
  CreateTotpDocument,
  DeleteMeDocument,
  DeleteOrganizationMembershipDocument,
  DisableTotpDocument,
  MeDocument,
  MyOrganizationInvitationsDocument,
  MyOrganizationMembershipsDocument,
  UpdateMeDocument,
  type UpdateMeInput,
  UpdatePasswordDocument,
  type UserFieldsFragment,
  VerifyTotpDocument,
  AttemptReverificationDocument,
  type MySessionFieldsFragment,
  MySessionsDocument,
  PrepareReverificationDocument,
  RevokeMySessionDocument,
  type ReverificationStrategy,
  type SessionReverificationFieldsFragment,
} from "../generated/graphql";
import { EmailAddressResource } from "./email-address";
import {
  OrganizationInvitationResource,
  OrganizationMembershipResource,
  OrganizationResource,
} from "./organization";

/** The signed-in user (Clerk's `User`), with the self-service actions of their account. */
export class UserResource {
  readonly #core: Core;
  readonly id: string;
  readonly externalId: string | null;
  readonly username: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  /** First and last name joined, or `null` without either. */
  readonly fullName: string | null;
  readonly imageUrl: string | null;
  readonly primaryEmailAddressId: string | null;
  readonly primaryEmailAddress: EmailAddressResource | null;
  readonly emailAddresses: EmailAddressResource[];
  /** The organizations the user belongs to, with role and permissions. */
  readonly organizationMemberships: OrganizationMembershipResource[];
  readonly passwordEnabled: boolean;
  readonly totpEnabled: boolean;
  readonly backupCodeEnabled: boolean;
  readonly twoFactorEnabled: boolean;
  readonly publicMetadata: Record<string, unknown>;
  readonly unsafeMetadata: Record<string, unknown>;
  readonly lastSignInAt: Date | null;
  readonly lastActiveAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;

  /**
   * A resource over the server's data: a client reads the user without memberships, the user's
   * own session token with them (`AccountFields`).
   */
  constructor(
    core: Core,
    data: UserFieldsFragment & Partial<Pick<AccountFieldsFragment, "organizationMemberships">>,
  ) {
    this.#core = core;
    this.id = data.id;
    this.externalId = data.externalId;
    this.username = data.username;
    this.firstName = data.firstName;
    this.lastName = data.lastName;
    this.fullName = [data.firstName, data.lastName].filter(Boolean).join(" ") || null;
    this.imageUrl = data.imageUrl;
    this.primaryEmailAddressId = data.primaryEmailAddressId;
    this.emailAddresses = data.emailAddresses.map((e) => new EmailAddressResource(core, e));
    this.primaryEmailAddress =
      this.emailAddresses.find((e) => e.id === data.primaryEmailAddressId) ?? null;
    this.organizationMemberships = (data.organizationMemberships ?? []).map(
      (m) => new OrganizationMembershipResource(core, m),
    );
    this.passwordEnabled = data.passwordEnabled;
    this.totpEnabled = data.totpEnabled;
    this.backupCodeEnabled = data.backupCodeEnabled;
    this.twoFactorEnabled = data.twoFactorEnabled;
    this.publicMetadata = data.publicMetadata;
    this.unsafeMetadata = data.unsafeMetadata;
    this.lastSignInAt = toDate(data.lastSignInAt);
    this.lastActiveAt = toDate(data.lastActiveAt);
    this.createdAt = toDate(data.createdAt);
    this.updatedAt = toDate(data.updatedAt);
  }

  #apply(data: AccountFieldsFragment): UserResource {
    this.#core.applyUser(data);
    return new UserResource(this.#core, data);
  }

  /** Reads the user again from the server. */
  async reload(): Promise<UserResource> {
    return this.#apply((await this.#core.asUser(MeDocument, {})).me);
  }

  /** Changes the user's own profile: names, username, unsafe metadata, `imageUrl` (https). */
  async update(params: UpdateMeInput): Promise<UserResource> {
    return this.#apply((await this.#core.asUser(UpdateMeDocument, { input: params })).updateMe);
  }

  /** Adds an unverified email address (a guarded action); verify it with its resource. */
  async createEmailAddress(params: { email: string }): Promise<EmailAddressResource> {
    const data = await this.#core.asUser(CreateEmailAddressDocument, {
      emailAddress: params.email,
    });
    await this.reload();
    return new EmailAddressResource(this.#core, data.createEmailAddress);
  }

  /** Changes the password (the current one is needed when the user has one). */
  async updatePassword(params: {
    currentPassword?: string;
    newPassword: string;
    signOutOfOtherSessions?: boolean;
  }): Promise<UserResource> {
    const data = await this.#core.asUser(UpdatePasswordDocument, params);
    return this.#apply(data.updatePassword);
  }

  /** Starts TOTP enrolment: a secret and an `otpauth://` URI for an authenticator app. */
  async createTotp(): Promise<{ secret: string; uri: string }> {
    return (await this.#core.asUser(CreateTotpDocument, {})).createTotp;
  }

  /** Turns TOTP on with a code from the app; answers the backup codes, shown this once. */
  async verifyTotp(params: { code: string }): Promise<{ codes: string[] }> {
    const data = await this.#core.asUser(VerifyTotpDocument, params);
    await this.reload();
    return data.verifyTotp;
  }

  /** Turns TOTP off and drops the backup codes (a guarded action). */
  async disableTotp(): Promise<UserResource> {
    return this.#apply((await this.#core.asUser(DisableTotpDocument, {})).disableTotp);
  }

  /** Ten new backup codes replace the old ones (a guarded action); shown this once. */
  async createBackupCodes(): Promise<{ codes: string[] }> {
    return (await this.#core.asUser(CreateBackupCodesDocument, {})).createBackupCodes;
  }

  /** The user's sessions on every device (`me { sessions }`). */
  async getSessions(): Promise<MySessionFieldsFragment[]> {
    return (await this.#core.asUser(MySessionsDocument, {})).me.sessions;
  }

  /**
   * Ends one of the user's sessions on any device (`revokeMySession`, a guarded action), then
   * reads this client again (the session may be one of its own).
   */
  async revokeSession(sessionId: string): Promise<MySessionFieldsFragment> {
    const data = await this.#core.asUser(RevokeMySessionDocument, { id: sessionId });
    await this.#core.reloadClient();
    return data.revokeMySession;
  }

  /**
   * Deletes the account (`deleteMe`, where the instance's `deleteSelfEnabled` allows it; a
   * guarded action): its sessions end, and this client is read again (signed out).
   */
  async delete(): Promise<void> {
    await this.#core.asUser(DeleteMeDocument, {});
    await this.#core.reloadClient();
  }

  /** The user's organization memberships, read again from the server. */
  async getOrganizationMemberships(): Promise<OrganizationMembershipResource[]> {
    const data = await this.#core.asUser(MyOrganizationMembershipsDocument, {});
    return data.myOrganizationMemberships.map(
      (m) => new OrganizationMembershipResource(this.#core, m),
    );
  }

  /** Creates an organization whose first admin is this user. */
  async createOrganization(params: { name: string; slug?: string }): Promise<OrganizationResource> {
    const data = await this.#core.asUser(CreateOrganizationDocument, {
      name: params.name,
      slug: params.slug ?? null,
    });
    await this.reload();
    return new OrganizationResource(this.#core, data.createOrganization);
  }

  /** The pending invitations of the user's verified email addresses (each can be `accept`ed). */
  async getOrganizationInvitations(): Promise<OrganizationInvitationResource[]> {
    const data = await this.#core.asUser(MyOrganizationInvitationsDocument, {});
    return data.myOrganizationInvitations.map(
      (i) => new OrganizationInvitationResource(this.#core, i),
    );
  }

  /**
   * Leaves an organization (not allowed to its last manager). It stops being active in the
   * user's sessions; memberships and this client are read again.
   */
  async leaveOrganization(organizationId: string): Promise<void> {
    await this.#core.asUser(DeleteOrganizationMembershipDocument, {
      organizationId,
      userId: this.id,
    });
    await this.reload();
    await this.#core.reloadClient();
  }

  /** Mails a code for reverification (`EMAIL_CODE`, after `REVERIFICATION_REQUIRED`). */
  async prepareReverification(params: {
    strategy: ReverificationStrategy;
  }): Promise<SessionReverificationFieldsFragment> {
    return (await this.#core.asUser(PrepareReverificationDocument, params)).prepareReverification;
  }

  /**
   * Verifies a factor again so guarded actions pass for the instance's
   * `reverificationWindowSeconds` (`status: COMPLETE` once every factor the user has is recent).
   * The session's token is then fetched anew, so the app's server sees the new `fva` at once.
   */
  async attemptReverification(params: {
    strategy: ReverificationStrategy;
    code?: string;
    password?: string;
  }): Promise<SessionReverificationFieldsFragment> {
    const data = await this.#core.asUser(AttemptReverificationDocument, {
      strategy: params.strategy,
      code: params.code ?? null,
      password: params.password ?? null,
    });
    await this.#core.getToken(data.attemptReverification.sessionId, { skipCache: true });
    return data.attemptReverification;
  }
}
