import type { ReactNode } from "react";
import { checkAuthorization, type HasParams, isKnown } from "./auth";
import { useLatchkeySnapshot } from "./context";

/** Renders its children only when someone is signed in (known from loading or the initial state). */
export function SignedIn({ children }: { children?: ReactNode }): ReactNode {
  const { auth } = useLatchkeySnapshot();
  return auth.sessionId ? children : null;
}

/** Renders its children only when it is known that nobody is signed in. */
export function SignedOut({ children }: { children?: ReactNode }): ReactNode {
  const { auth } = useLatchkeySnapshot();
  return isKnown(auth) && auth.sessionId === null ? children : null;
}

/** Props of `<Protect>`: a role, a permission, or a condition over `has`; `fallback` otherwise. */
export type ProtectProps = {
  children?: ReactNode;
  fallback?: ReactNode;
  role?: string;
  permission?: string;
  condition?: (has: (params: HasParams) => boolean) => boolean;
};

/**
 * Renders its children when someone is signed in and, when asked, holds the role, the permission
 * or passes the condition in the active organization; else `fallback` (nothing by default).
 * Nothing while loading.
 */
export function Protect({
  children,
  fallback = null,
  role,
  permission,
  condition,
}: ProtectProps): ReactNode {
  const { auth } = useLatchkeySnapshot();
  if (!isKnown(auth)) return null;
  if (!auth.sessionId) return fallback;
  const has = (params: HasParams) => checkAuthorization(auth, params);
  if (role !== undefined && !has({ role })) return fallback;
  if (permission !== undefined && !has({ permission })) return fallback;
  if (condition && !condition(has)) return fallback;
  return children;
}

/** Renders its children once the SDK has loaded. */
export function LatchkeyLoaded({ children }: { children?: ReactNode }): ReactNode {
  return useLatchkeySnapshot().loaded ? children : null;
}

/** Renders its children until the SDK has loaded. */
export function LatchkeyLoading({ children }: { children?: ReactNode }): ReactNode {
  return useLatchkeySnapshot().loaded ? null : children;
}
