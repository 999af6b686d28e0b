import type { Core } from "../core";
import type { ClientFieldsFragment } from "../generated/graphql";
import { SessionResource } from "./session";
import { SignInResource } from "./sign-in";
import { SignUpResource } from "./sign-up";

/** This browser's client (Clerk's `Client`): its sessions and its sign-in and sign-up in progress. */
export class ClientResource {
  /** The client's id; `null` until the server made one (at the first sign-in or sign-up). */
  readonly id: string | null;
  /** The client's sessions, oldest first, whatever their status. */
  readonly sessions: SessionResource[];
  /** The sessions that are signed in. */
  readonly activeSessions: SessionResource[];
  readonly lastActiveSessionId: string | null;
  /** The sign-in in progress; an empty one to `create` when there is none. */
  readonly signIn: SignInResource;
  /** The sign-up in progress; an empty one to `create` when there is none. */
  readonly signUp: SignUpResource;

  /** A resource over the server's data (`null`: the server has no client for this browser yet). */
  constructor(core: Core, data: ClientFieldsFragment | null) {
    this.id = data?.id ?? null;
    this.sessions = (data?.sessions ?? []).map((s) => new SessionResource(core, s));
    this.activeSessions = this.sessions.filter((s) => s.status === "ACTIVE");
    this.lastActiveSessionId = data?.lastActiveSessionId ?? null;
    this.signIn = new SignInResource(core, data?.signIn ?? null);
    this.signUp = new SignUpResource(core, data?.signUp ?? null);
  }
}
