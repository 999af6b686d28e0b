import type {
  ClientResource,
  SessionResource,
  SetActiveParams,
  SignInResource,
  SignUpResource,
  UserResource,
} from "@latchkey/js";
import { useCallback } from "react";
import { useLatchkey, useLatchkeySnapshot } from "./context";

type SetActive = (params: SetActiveParams) => Promise<void>;

function useSetActive(): SetActive {
  const latchkey = useLatchkey();
  return useCallback((params: SetActiveParams) => latchkey.setActive(params), [latchkey]);
}

/** The signed-in user: `undefined` while loading, `null` when signed out. */
export function useUser():
  | { isLoaded: false; isSignedIn: undefined; user: undefined }
  | { isLoaded: true; isSignedIn: false; user: null }
  | { isLoaded: true; isSignedIn: true; user: UserResource } {
  const { user } = useLatchkeySnapshot();
  if (user === undefined) return { isLoaded: false, isSignedIn: undefined, user: undefined };
  if (user === null) return { isLoaded: true, isSignedIn: false, user: null };
  return { isLoaded: true, isSignedIn: true, user };
}

/** The active session: `undefined` while loading, `null` when signed out. */
export function useSession():
  | { isLoaded: false; isSignedIn: undefined; session: undefined }
  | { isLoaded: true; isSignedIn: false; session: null }
  | { isLoaded: true; isSignedIn: true; session: SessionResource } {
  const { session } = useLatchkeySnapshot();
  if (session === undefined) return { isLoaded: false, isSignedIn: undefined, session: undefined };
  if (session === null) return { isLoaded: true, isSignedIn: false, session: null };
  return { isLoaded: true, isSignedIn: true, session };
}

/** Every signed-in session of this client (multi-session), and `setActive` to switch. */
export function useSessionList():
  | { isLoaded: false; sessions: undefined; setActive: undefined }
  | { isLoaded: true; sessions: SessionResource[]; setActive: SetActive } {
  const { client } = useLatchkeySnapshot();
  const setActive = useSetActive();
  if (client === undefined) return { isLoaded: false, sessions: undefined, setActive: undefined };
  return { isLoaded: true, sessions: client.activeSessions, setActive };
}

/** The client's sign-in, for a custom sign-in form, and `setActive` for its created session. */
export function useSignIn():
  | { isLoaded: false; signIn: undefined; setActive: undefined }
  | { isLoaded: true; signIn: SignInResource; setActive: SetActive } {
  const { client } = useLatchkeySnapshot();
  const setActive = useSetActive();
  if (client === undefined) return { isLoaded: false, signIn: undefined, setActive: undefined };
  return { isLoaded: true, signIn: (client as ClientResource).signIn, setActive };
}

/** The client's sign-up, for a custom sign-up form, and `setActive` for its created session. */
export function useSignUp():
  | { isLoaded: false; signUp: undefined; setActive: undefined }
  | { isLoaded: true; signUp: SignUpResource; setActive: SetActive } {
  const { client } = useLatchkeySnapshot();
  const setActive = useSetActive();
  if (client === undefined) return { isLoaded: false, signUp: undefined, setActive: undefined };
  return { isLoaded: true, signUp: client.signUp, setActive };
}
