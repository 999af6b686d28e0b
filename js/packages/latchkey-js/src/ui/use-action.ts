// Runs a form's action: busy while it runs, and its failure as a form error, inline under one of
// the form's fields when the error names it, above the form otherwise.
import { useCallback, useState } from "preact/hooks";
import { useUi } from "./context";
import { type FormError, toFormError } from "./errors";

/** What `useAction` answers. */
export interface ActionState {
  busy: boolean;
  /** The last failure (cleared when the next action starts). */
  error: FormError | undefined;
  /** The failure when it names none of the form's `fields` (for `<ErrorBanner>`). */
  formError: FormError | undefined;
  /** The message of the failure about `field`, if any (for `<Field error>`). */
  fieldError: (field: string) => string | undefined;
  setError: (error: FormError | undefined) => void;
  /** Runs `action`; resolves with its result, or `undefined` when it failed (shown). */
  run: <T>(action: () => Promise<T>) => Promise<T | undefined>;
}

/**
 * The state of a form's action. `fields` are the form's input names; `fieldOf` names the field
 * of codes the server sends without one (`CODE_INCORRECT` → `code`).
 */
export function useAction(
  fields: readonly string[],
  fieldOf?: (code: string) => string | undefined,
): ActionState {
  const { t } = useUi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | undefined>(undefined);
  const run = useCallback(
    async <T>(action: () => Promise<T>): Promise<T | undefined> => {
      setBusy(true);
      setError(undefined);
      try {
        return await action();
      } catch (failure) {
        setError(toFormError(failure, t, fieldOf));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [t, fieldOf],
  );
  const inline = error?.field !== undefined && fields.includes(error.field);
  return {
    busy,
    error,
    formError: inline ? undefined : error,
    fieldError: (field) => (error?.field === field ? error.message : undefined),
    setError,
    run,
  };
}
