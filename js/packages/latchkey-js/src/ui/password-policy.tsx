/** @jsxImportSource preact */
// Feedback on a new password from the instance's policy (`environment.passwordPolicy`) while it is
// typed; the server's PASSWORD_TOO_WEAK and PASSWORD_COMPROMISED land under the same field.
import { useUi } from "./context";

/** The field of the server's password policy errors. */
export const passwordPolicyField = (code: string): string | undefined =>
  code === "PASSWORD_TOO_WEAK" || code === "PASSWORD_COMPROMISED" ? "password" : undefined;

/** "At least 8 characters.", then how many are still missing while it is too short. */
export function PasswordHint(props: { password: string }) {
  const { environment, t } = useUi();
  const min = environment?.passwordPolicy.minLength ?? 8;
  const count = [...props.password].length;
  if (count > 0 && count < min) {
    return <span part="passwordTooShort">{t("signUp.passwordTooShort", { min, count })}</span>;
  }
  return <span>{t("signUp.passwordHint", { min })}</span>;
}
