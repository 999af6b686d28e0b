import type { LatchkeyError } from "./errors";
import type { ClientResource } from "./resources/client";
import type { OrganizationResource } from "./resources/organization";
import type { SessionResource } from "./resources/session";
import type { UserResource } from "./resources/user";

/**
 * Where the SDK stands: `loading` until `load()` finishes, `ready` after, `degraded` when live
 * updates are down (token refreshes still tell of a revocation), `error` when `load()` failed.
 */
export type LatchkeyStatus = "loading" | "ready" | "degraded" | "error";

/**
 * Who is signed in, in the plain values hooks and servers use. `undefined` while loading (and
 * no initial state was given), `null` when signed out.
 */
export interface AuthState {
  sessionId: string | null | undefined;
  userId: string | null | undefined;
  orgId: string | null | undefined;
  /** The role's key in the active organization, such as `org:admin`. */
  orgRole: string | null | undefined;
  orgSlug: string | null | undefined;
  /** Every permission of that role. */
  orgPermissions: string[] | null | undefined;
}

/**
 * What server rendering knows before the SDK loads (from the session token on the request):
 * passed to `new Latchkey(…, {initialState})` so the first render matches the server's.
 */
export type InitialState = {
  sessionId: string | null;
  userId: string | null;
  orgId?: string | null;
  orgRole?: string | null;
  orgSlug?: string | null;
  orgPermissions?: string[] | null;
};

/**
 * One immutable picture of the SDK's state. A new object is made on every change and only then,
 * so `getSnapshot()` answers the same object until something changed (`useSyncExternalStore`).
 * The resources are `undefined` while loading and `null` when there is none (signed out).
 */
export interface LatchkeySnapshot {
  readonly loaded: boolean;
  readonly status: LatchkeyStatus;
  readonly client: ClientResource | undefined;
  readonly session: SessionResource | null | undefined;
  readonly user: UserResource | null | undefined;
  readonly organization: OrganizationResource | null | undefined;
  readonly auth: Readonly<AuthState>;
  /** Why `load()` failed, with `status: "error"`. */
  readonly error: LatchkeyError | undefined;
}

const UNKNOWN: AuthState = {
  sessionId: undefined,
  userId: undefined,
  orgId: undefined,
  orgRole: undefined,
  orgSlug: undefined,
  orgPermissions: undefined,
};

/** The auth values of an initial state, or all `undefined` without one. */
export function authOfInitialState(initial: InitialState | undefined): AuthState {
  if (!initial) return UNKNOWN;
  return {
    sessionId: initial.sessionId,
    userId: initial.userId,
    orgId: initial.orgId ?? null,
    orgRole: initial.orgRole ?? null,
    orgSlug: initial.orgSlug ?? null,
    orgPermissions: initial.orgPermissions ?? null,
  };
}

/** The snapshot before `load()` finished: nothing known but the initial state. */
export function loadingSnapshot(
  initial: InitialState | undefined,
  error?: LatchkeyError,
): LatchkeySnapshot {
  return Object.freeze({
    loaded: false,
    status: error ? "error" : "loading",
    client: undefined,
    session: undefined,
    user: undefined,
    organization: undefined,
    auth: Object.freeze(authOfInitialState(initial)),
    error,
  });
}

/**
 * The snapshot of a loaded client: the active session is the client's last active one while it
 * is `ACTIVE`; its user; the organization its `lastActiveOrganizationId` names, among the user's
 * memberships.
 */
export function loadedSnapshot(client: ClientResource, status: LatchkeyStatus): LatchkeySnapshot {
  const session = client.activeSessions.find((s) => s.id === client.lastActiveSessionId) ?? null;
  const user = session?.user ?? null;
  const membership =
    user?.organizationMemberships.find(
      (m) => m.organization.id === session?.lastActiveOrganizationId,
    ) ?? null;
  return Object.freeze({
    loaded: true,
    status,
    client,
    session,
    user,
    organization: membership?.organization ?? null,
    auth: Object.freeze({
      sessionId: session?.id ?? null,
      userId: user?.id ?? null,
      orgId: membership?.organization.id ?? null,
      orgRole: membership?.role ?? null,
      orgSlug: membership?.organization.slug ?? null,
      orgPermissions: membership?.permissions ?? null,
    }),
    error: undefined,
  });
}

/** Holds the current snapshot and tells listeners of each new one. */
export class SnapshotStore {
  private listeners = new Set<(snapshot: LatchkeySnapshot) => void>();

  /** A store starting at `current`. */
  constructor(private current: LatchkeySnapshot) {}

  /** The current snapshot: the same object until the next change. */
  get(): LatchkeySnapshot {
    return this.current;
  }

  /** Replaces the snapshot and tells every listener (a listener that throws stops no other). */
  set(next: LatchkeySnapshot): void {
    if (next === this.current) return;
    this.current = next;
    for (const listener of [...this.listeners]) {
      try {
        listener(next);
      } catch (error) {
        console.error("a Latchkey listener threw", error);
      }
    }
  }

  /** Adds a listener; returns the way to remove it. */
  subscribe(listener: (snapshot: LatchkeySnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
