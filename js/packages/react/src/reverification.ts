import { isLatchkeyError } from "@latchkey/js";
import { useCallback, useRef } from "react";

/** What the app is handed when an action needs the user to verify again. */
export interface NeedsReverification {
  /** Call once `user.attemptReverification` passed: the action runs again. */
  complete: () => void;
  /** Call when the user gives up: the action fails with its `REVERIFICATION_REQUIRED` error. */
  cancel: () => void;
}

/**
 * Wraps an action that may answer `REVERIFICATION_REQUIRED` (a guarded change: disabling TOTP,
 * adding an email address, …): on that error `onNeedsReverification` is told, and once it calls
 * `complete()` (after `user.attemptReverification`) the action runs once more. Without a handler
 * the error is thrown as is.
 */
export function useReverification<Args extends unknown[], Result>(
  action: (...args: Args) => Promise<Result>,
  options: { onNeedsReverification?: (needs: NeedsReverification) => void } = {},
): (...args: Args) => Promise<Result> {
  const latest = useRef({ action, options });
  latest.current = { action, options };
  return useCallback(async (...args: Args) => {
    try {
      return await latest.current.action(...args);
    } catch (error) {
      const handler = latest.current.options.onNeedsReverification;
      if (!isLatchkeyError(error) || error.code !== "REVERIFICATION_REQUIRED" || !handler)
        throw error;
      await new Promise<void>((resolve, reject) =>
        handler({ complete: resolve, cancel: () => reject(error) }),
      );
      return latest.current.action(...args);
    }
  }, []);
}
