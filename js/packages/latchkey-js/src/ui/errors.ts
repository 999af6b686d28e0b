// A failure as a form shows it: the message in the user's language, the field it belongs to
// (inline under that field) or none (above the form), and the wait of RATE_LIMITED and
// ACCOUNT_LOCKED as a deadline to count down to.
import { isLatchkeyError, LatchkeyError } from "../errors";
import type { Translate } from "./localization/translate";
import type { LocalizationKey } from "./localization/types";

/** One error of a form. */
export interface FormError {
  code: string;
  /** The form field it is about (camelCase, as the inputs' names), or none. */
  field: string | undefined;
  message: string;
  /** When the user may try again (ms since the epoch), for a wait to count down. */
  until: number | undefined;
}

/** The field the server named, as the forms name their inputs (`email_address` → `emailAddress`). */
export function fieldName(field: string | undefined): string | undefined {
  if (!field) return undefined;
  const head = field.split(".")[0] ?? field;
  return head.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

const OWN_MESSAGE = new Set(["VALIDATION_FAILED", "PASSWORD_TOO_WEAK"]);

/**
 * A thrown value as a form error. `fieldOf` gives the field of codes the server sends without
 * one (`CODE_INCORRECT` → `code`); the server's own message is kept where it says more than
 * ours (`VALIDATION_FAILED`, `PASSWORD_TOO_WEAK`: "a password needs at least 8 characters").
 */
export function toFormError(
  error: unknown,
  t: Translate,
  fieldOf: (code: string) => string | undefined = () => undefined,
): FormError {
  if (!isLatchkeyError(error)) {
    console.error("Latchkey component:", error);
    return { code: "INTERNAL", field: undefined, message: t("errors.generic"), until: undefined };
  }
  const code = error.code;
  const field = fieldName(error.field) ?? fieldOf(code);
  const waits = code === "RATE_LIMITED" || code === "ACCOUNT_LOCKED";
  const until =
    waits || error.retryAfter !== undefined
      ? Date.now() + Math.max(1, error.retryAfter ?? 1) * 1000
      : undefined;
  const known = t(`errors.${code}` as LocalizationKey);
  const server = error.message ? capitalize(error.message) : undefined;
  let message = known === `errors.${code}` ? (server ?? t("errors.generic")) : known;
  if (OWN_MESSAGE.has(code) && server) message = `${server}.`.replace(/\.\.$/, ".");
  // A redirect the server refused is the page's, not something the person typed.
  if (error.field === "redirectUrl") message = t("errors.redirectNotAllowed");
  return { code, field, message, until };
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** A wait in words: "42 seconds", "1 minute", "15 minutes". */
export function formatWait(seconds: number, t: Translate): string {
  if (seconds < 120)
    return seconds === 1 ? t("common.second") : t("common.seconds", { count: seconds });
  const minutes = Math.ceil(seconds / 60);
  return t("common.minutes", { count: minutes });
}

/** The error of a required field left empty (checked before asking the server). */
export function requiredError(field: string, t: Translate): LatchkeyError {
  return new LatchkeyError("VALIDATION_FAILED", t("common.required"), { field });
}

/** The field of a code form that an error without one belongs to (a wrong or expired code). */
export const codeField = (code: string): string | undefined =>
  code === "CODE_INCORRECT" || code === "VERIFICATION_EXPIRED" || code === "TOO_MANY_ATTEMPTS"
    ? "code"
    : undefined;
