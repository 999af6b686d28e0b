import type { AuthState, GetTokenOptions } from "@latchkey/js";
import { useCallback, useMemo } from "react";
import { useLatchkey, useLatchkeySnapshot } from "./context";

/** What `has` checks: a role key (`org:admin`) or a permission key (`org:invoices:read`). */
export type HasParams = { role: string; permission?: never } | { permission: string; role?: never };

/** `has` over an auth state: whether the active organization's role is, or grants, what is asked. */
export function checkAuthorization(auth: AuthState, params: HasParams): boolean {
  if (!auth.orgId) return false;
  if (params.role !== undefined) return auth.orgRole === params.role;
  return (auth.orgPermissions ?? []).includes(params.permission);
}

/** Whether a state is known: loaded, or given by server rendering. */
export function isKnown(auth: AuthState): boolean {
  return auth.sessionId !== undefined;
}

/** What `useAuth` answers (Clerk's shape). */
export interface UseAuthResult {
  isLoaded: boolean;
  /** `undefined` while loading. */
  isSignedIn: boolean | undefined;
  userId: string | null | undefined;
  sessionId: string | null | undefined;
  orgId: string | null | undefined;
  orgRole: string | null | undefined;
  orgSlug: string | null | undefined;
  has: (params: HasParams) => boolean;
  /** The session token (waits for loading); `null` when signed out. */
  getToken: (options?: GetTokenOptions) => Promise<string | null>;
  signOut: (params?: { sessionId?: string }) => Promise<void>;
}

/**
 * Who is signed in, as plain values, with `has` for roles and permissions in the active
 * organization, `getToken` for the app's own API calls, and `signOut`.
 */
export function useAuth(): UseAuthResult {
  const latchkey = useLatchkey();
  const { auth } = useLatchkeySnapshot();
  const has = useCallback((params: HasParams) => checkAuthorization(auth, params), [auth]);
  const getToken = useCallback(
    async (options?: GetTokenOptions) => {
      await latchkey.load();
      return (await latchkey.session?.getToken(options)) ?? null;
    },
    [latchkey],
  );
  const signOut = useCallback(
    (params?: { sessionId?: string }) => latchkey.signOut(params),
    [latchkey],
  );
  return useMemo(() => {
    const isLoaded = isKnown(auth);
    return {
      isLoaded,
      isSignedIn: isLoaded ? auth.sessionId !== null : undefined,
      userId: auth.userId,
      sessionId: auth.sessionId,
      orgId: auth.orgId,
      orgRole: auth.orgRole,
      orgSlug: auth.orgSlug,
      has,
      getToken,
      signOut,
    };
  }, [auth, has, getToken, signOut]);
}
