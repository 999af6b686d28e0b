import type { Latchkey, LatchkeySnapshot } from "@latchkey/js";
import { createContext, useCallback, useContext, useSyncExternalStore } from "react";

/** The `Latchkey` object of the nearest `<LatchkeyProvider>`. */
export const LatchkeyContext = createContext<Latchkey | null>(null);

/** The `Latchkey` object of the nearest provider; throws outside one. */
export function useLatchkey(): Latchkey {
  const latchkey = useContext(LatchkeyContext);
  if (!latchkey)
    throw new Error("Latchkey hooks and components must be used inside <LatchkeyProvider>");
  return latchkey;
}

/**
 * The SDK's current snapshot, through `useSyncExternalStore`: one stable object per change, and
 * on the server and during hydration the snapshot made at construction (loading, or the initial
 * state passed in), so the first client render matches the server's.
 */
export function useLatchkeySnapshot(): LatchkeySnapshot {
  const latchkey = useLatchkey();
  const subscribe = useCallback((notify: () => void) => latchkey.addListener(notify), [latchkey]);
  return useSyncExternalStore(subscribe, latchkey.getSnapshot, latchkey.getInitialSnapshot);
}
