// What UserButton shows, apart from the markup.
import type { SessionResource } from "../../resources/session";
import type { UserResource } from "../../resources/user";

/** The name to show for a user: full name, else username, else primary email. */
export function displayName(
  user: Pick<UserResource, "fullName" | "username"> & {
    primaryEmailAddress: { emailAddress: string } | null;
  },
): string {
  return user.fullName ?? user.username ?? user.primaryEmailAddress?.emailAddress ?? "";
}

/**
 * What an avatar without a picture makes its initials of: the full name or username, else the
 * email's first letter (an address's parts would give initials such as "J1").
 */
export function avatarName(
  user: Pick<UserResource, "fullName" | "username"> & {
    primaryEmailAddress: { emailAddress: string } | null;
  },
): string {
  return user.fullName ?? user.username ?? user.primaryEmailAddress?.emailAddress.charAt(0) ?? "?";
}

/** The client's other signed-in sessions, the ones "switch account" offers. */
export function otherSessions(
  sessions: readonly SessionResource[],
  activeId: string | null,
): SessionResource[] {
  return sessions.filter((s) => s.status === "ACTIVE" && s.id !== activeId && s.user !== null);
}
