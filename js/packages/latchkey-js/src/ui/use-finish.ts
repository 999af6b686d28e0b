// How SignIn and SignUp end: setActive, then the redirect (or, with none, the signed-in state;
// in a modal, the modal closes).
import { useState } from "preact/hooks";
import type { ComponentProps } from "./props";
import { useUi } from "./context";
import { type FormError, toFormError } from "./errors";
import { afterAuthUrl, finishAuth } from "./redirect";

/** Where a flow stands once it ended: still in its form, leaving the page, or signed in here. */
export type FinishPhase = "form" | "leaving" | "done";

/** The end of a sign-in or sign-up flow. */
export function useFinish(props: ComponentProps): {
  phase: FinishPhase;
  /** Why the redirect did not happen (signed in all the same). */
  error: FormError | undefined;
  finish: (sessionId: string) => Promise<void>;
} {
  const { latchkey, t, mode, close } = useUi();
  const [phase, setPhase] = useState<FinishPhase>("form");
  const [error, setError] = useState<FormError | undefined>(undefined);
  const finish = async (sessionId: string) => {
    if (afterAuthUrl(props) !== undefined) setPhase("leaving");
    try {
      if (await finishAuth(latchkey, props, sessionId)) return;
    } catch (failure) {
      setError(toFormError(failure, t));
    }
    if (mode === "modal") close();
    else setPhase("done");
  };
  return { phase, error, finish };
}
