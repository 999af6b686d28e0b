import { type FormEvent, useState } from "react";
import { describeError } from "./errors";

/** A form's submit state: `run(work)` gives a submit handler that shows `busy` while `work`
 * runs and the failure, if any, as `error` (a sentence for a person). */
export function useFormAction() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = (work: () => Promise<void>) => async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}
