import { type InitialState, Latchkey, type LatchkeyOptions } from "@latchkey/js";
import { type ReactNode, useEffect, useState } from "react";
import { LatchkeyContext } from "./context";

/** Props of `<LatchkeyProvider>`. */
export interface LatchkeyProviderProps {
  /** The instance's publishable key (`pk_test_…` or `pk_live_…`). */
  publishableKey: string;
  /** Where Latchkey is, such as `https://auth.example.com` (required: keys name no server). */
  apiUrl: string;
  /** What server rendering knew (from the request's session token), so hydration matches. */
  initialState?: InitialState;
  /** Further options of the `Latchkey` object. */
  options?: Omit<LatchkeyOptions, "apiUrl" | "initialState">;
  /** A `Latchkey` object made elsewhere, used instead of making one. */
  latchkey?: Latchkey;
  children?: ReactNode;
}

/**
 * Makes one `Latchkey` object for the tree below and loads it in the browser (never on the
 * server). Hooks and components below read its state.
 */
export function LatchkeyProvider(props: LatchkeyProviderProps): ReactNode {
  const { publishableKey, apiUrl, initialState, options, latchkey: given, children } = props;
  const [latchkey] = useState(
    () => given ?? new Latchkey(publishableKey, { ...options, apiUrl, initialState }),
  );
  useEffect(() => {
    latchkey.load().catch((error: unknown) => {
      console.error("Latchkey failed to load:", error);
    });
  }, [latchkey]);
  return <LatchkeyContext.Provider value={latchkey}>{children}</LatchkeyContext.Provider>;
}
