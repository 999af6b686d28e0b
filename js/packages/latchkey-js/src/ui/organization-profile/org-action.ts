// useAction for the organization components: FORBIDDEN says plainly who may do it, and the
// server's refusal to leave an organization without an admin says what to do instead.
import { isLatchkeyError } from "../../errors";
import { useUi } from "../context";
import { type FormError, toFormError } from "../errors";
import type { Translate } from "../localization/translate";
import type { LocalizationKey } from "../localization/types";
import { type ActionState, useAction } from "../use-action";

/** A failure of an organization action as the form shows it. */
export function organizationError(
  error: unknown,
  t: Translate,
  forbidden: LocalizationKey = "organizationProfile.forbidden",
): FormError {
  const shown = toFormError(error, t);
  if (!isLatchkeyError(error)) return shown;
  if (error.code === "FORBIDDEN") return { ...shown, field: undefined, message: t(forbidden) };
  if (
    error.code === "VALIDATION_FAILED" &&
    /at least one member|without a member/.test(error.message)
  )
    return { ...shown, field: undefined, message: t("organizationProfile.lastManager") };
  return shown;
}

/** `useAction` whose failures read as `organizationError` says. */
export function useOrganizationAction(
  fields: readonly string[],
  forbidden?: LocalizationKey,
): ActionState {
  const { t } = useUi();
  const action = useAction(fields);
  const run = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    let failure: unknown;
    let failed = false;
    const result = await action.run(async () => {
      try {
        return await work();
      } catch (error) {
        failed = true;
        failure = error;
        throw error;
      }
    });
    if (failed) action.setError(organizationError(failure, t, forbidden));
    return result;
  };
  const error = action.error;
  const inline = error?.field !== undefined && fields.includes(error.field);
  return {
    ...action,
    run,
    formError: inline ? undefined : error,
    fieldError: (field) => (error?.field === field ? error.message : undefined),
  };
}
