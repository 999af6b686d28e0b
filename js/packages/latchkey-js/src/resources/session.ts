import { type Core, toDate } from "../core";
import { RevokeMySessionDocument, type SessionFieldsFragment } from "../generated/graphql";
import type { GetTokenOptions } from "../tokens/manager";
import { UserResource } from "./user";

/** A session's state: only `ACTIVE` sessions get tokens. */
export type SessionStatus = SessionFieldsFragment["status"];

/** A signed-in session of this client (Clerk's `Session`). */
export class SessionResource {
  readonly #core: Core;
  readonly id: string;
  readonly status: SessionStatus;
  /** The signed-in user. */
  readonly user: UserResource | null;
  readonly lastActiveAt: Date;
  readonly expireAt: Date;
  readonly abandonAt: Date;
  readonly lastActiveOrganizationId: string | null;
  readonly createdAt: Date;

  /** A resource over the server's data. */
  constructor(core: Core, data: SessionFieldsFragment) {
    this.#core = core;
    this.id = data.id;
    this.status = data.status;
    this.user = data.user ? new UserResource(core, data.user) : null;
    this.lastActiveAt = toDate(data.lastActiveAt);
    this.expireAt = toDate(data.expireAt);
    this.abandonAt = toDate(data.abandonAt);
    this.lastActiveOrganizationId = data.lastActiveOrganizationId;
    this.createdAt = toDate(data.createdAt);
  }

  /**
   * A session token for the app's own server (`Authorization: Bearer …`), cached until shortly
   * before it expires; `template` names a JWT template. `null` when the session is not active.
   */
  getToken(options: GetTokenOptions = {}): Promise<string | null> {
    if (this.status !== "ACTIVE") return Promise.resolve(null);
    return this.#core.getToken(this.id, options);
  }

  /** Ends this session (`revokeMySession`, a guarded action: `REVERIFICATION_REQUIRED` unless a factor was verified recently). */
  async revoke(): Promise<void> {
    await this.#core.asUser(RevokeMySessionDocument, { id: this.id });
    await this.#core.reloadClient();
  }
}
