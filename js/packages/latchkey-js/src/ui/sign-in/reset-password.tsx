/** @jsxImportSource preact */
// "Forgot password?": the reset code mailed to the user (RESET_PASSWORD_EMAIL_CODE), then a new
// password (resetPassword), which completes the sign-in (or asks for the second factor).
import { useState } from "preact/hooks";
import { useUi } from "../context";
import { Button, Card, Checkbox, ErrorBanner, Field, Form, Header } from "../primitives";
import { MailedCodeForm } from "../mailed-code";
import { useAction } from "../use-action";
import { Identity } from "./first-factor";
import { factor, type StepProps } from "./flow";
import { passwordPolicyField, PasswordHint } from "../password-policy";

/** The reset code step. */
export function ResetCodeStep(props: StepProps) {
  const { t } = useUi();
  const reset = factor(props.signIn, "RESET_PASSWORD_EMAIL_CODE");
  const emailAddressId = reset?.emailAddressId;
  return (
    <Card part="signIn">
      <Header
        title={t("signIn.resetTitle")}
        subtitle={
          <Identity
            {...props}
            text={t("signIn.resetSubtitle", {
              identifier: reset?.safeIdentifier ?? props.signIn.identifier ?? "",
            })}
          />
        }
      />
      <MailedCodeForm
        submitLabel={t("signIn.resetCodeSubmit")}
        attempt={async (code) =>
          props.advance(
            await props.signIn.attemptFirstFactor({ strategy: "RESET_PASSWORD_EMAIL_CODE", code }),
          )
        }
        resend={
          emailAddressId
            ? async () => {
                await props.signIn.prepareFirstFactor({
                  strategy: "RESET_PASSWORD_EMAIL_CODE",
                  emailAddressId,
                });
              }
            : undefined
        }
        sentAt={props.sentAt}
        setSentAt={props.setSentAt}
      />
    </Card>
  );
}

/** The new password step (twice, and whether to sign out of the other devices). */
export function NewPasswordStep(props: StepProps) {
  const { t } = useUi();
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [signOutOthers, setSignOutOthers] = useState(true);
  const action = useAction(["password", "confirmPassword"], passwordPolicyField);
  return (
    <Card part="signIn">
      <Header title={t("signIn.newPasswordTitle")} />
      <ErrorBanner error={action.formError} />
      <Form
        focusFirst
        onSubmit={() =>
          void action.run(async () => {
            if (password !== confirm) {
              action.setError({
                code: "PASSWORDS_DIFFER",
                field: "confirmPassword",
                message: t("signIn.passwordsDiffer"),
                until: undefined,
              });
              return;
            }
            const result = await props.signIn.resetPassword({
              password,
              signOutOfOtherSessions: signOutOthers,
            });
            await props.advance(result);
          })
        }
      >
        <input
          type="text"
          name="username"
          autocomplete="username"
          value={props.signIn.identifier ?? ""}
          readOnly
          hidden
        />
        <Field
          label={t("common.newPasswordLabel")}
          name="password"
          type="password"
          autocomplete="new-password"
          value={password}
          onValue={setPassword}
          error={action.fieldError("password")}
          hint={<PasswordHint password={password} />}
          required
        />
        <Field
          label={t("signIn.confirmPasswordLabel")}
          name="confirmPassword"
          type="password"
          autocomplete="new-password"
          value={confirm}
          onValue={setConfirm}
          error={action.fieldError("confirmPassword")}
          required
        />
        <Checkbox
          label={t("signIn.signOutOfOtherSessions")}
          name="signOutOfOtherSessions"
          checked={signOutOthers}
          onChecked={setSignOutOthers}
        />
        <Button busy={action.busy}>{t("signIn.resetSubmit")}</Button>
      </Form>
    </Card>
  );
}
