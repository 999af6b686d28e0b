/** @jsxImportSource preact */
// SignIn's first factor: the password (with "forgot password?" and "email me a code instead"
// when the user has them), or a code mailed to the user.
import { useState } from "preact/hooks";
import { useUi } from "../context";
import { Button, Card, ErrorBanner, Field, Footer, Form, Header, Link } from "../primitives";
import { MailedCodeForm } from "../mailed-code";
import { useAction } from "../use-action";
import { requiredError } from "../errors";
import { factor, type StepProps } from "./flow";

/** Who is signing in, and the way back to the identifier. */
export function Identity(props: StepProps & { text?: string }) {
  const { t } = useUi();
  return (
    <>
      <span>{props.text ?? props.signIn.identifier}</span>{" "}
      <Link part="editIdentifier" onClick={props.restart}>
        {t("signIn.editIdentifier")}
      </Link>
    </>
  );
}

const passwordField = (code: string) => (code === "INVALID_CREDENTIALS" ? "password" : undefined);

/** The password step. */
export function PasswordStep(props: StepProps) {
  const { t } = useUi();
  const [password, setPassword] = useState("");
  const action = useAction(["password"], passwordField);
  const reset = factor(props.signIn, "RESET_PASSWORD_EMAIL_CODE");
  const email = factor(props.signIn, "EMAIL_CODE");

  const sendCode = (strategy: "EMAIL_CODE" | "RESET_PASSWORD_EMAIL_CODE", id: string) =>
    void action.run(async () => {
      await props.signIn.prepareFirstFactor({ strategy, emailAddressId: id });
      props.setSentAt(Date.now());
      props.navigate(strategy === "EMAIL_CODE" ? "email-code" : "reset-password");
    });

  return (
    <Card part="signIn">
      <Header title={t("signIn.passwordTitle")} subtitle={<Identity {...props} />} />
      <ErrorBanner error={action.formError} />
      <Form
        focusFirst
        onSubmit={() =>
          void action.run(async () => {
            if (password === "") throw requiredError("password", t);
            const result = await props.signIn.attemptFirstFactor({
              strategy: "PASSWORD",
              password,
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
          label={t("common.passwordLabel")}
          name="password"
          type="password"
          autocomplete="current-password"
          value={password}
          onValue={setPassword}
          error={action.fieldError("password")}
          required
          labelAction={
            reset?.emailAddressId ? (
              <Link
                part="forgotPassword"
                onClick={() => sendCode("RESET_PASSWORD_EMAIL_CODE", reset.emailAddressId!)}
              >
                {t("signIn.forgotPassword")}
              </Link>
            ) : undefined
          }
        />
        <Button busy={action.busy}>{t("signIn.passwordSubmit")}</Button>
      </Form>
      {email?.emailAddressId && (
        <Footer>
          <Link part="useEmailCode" onClick={() => sendCode("EMAIL_CODE", email.emailAddressId!)}>
            {t("signIn.useEmailCode")}
          </Link>
        </Footer>
      )}
    </Card>
  );
}

/** The step of a code mailed to the user (sign-in by email code). */
export function EmailCodeStep(props: StepProps) {
  const { t } = useUi();
  const email = factor(props.signIn, "EMAIL_CODE");
  const password = factor(props.signIn, "PASSWORD");
  const emailAddressId = email?.emailAddressId;
  return (
    <Card part="signIn">
      <Header
        title={t("signIn.emailCodeTitle")}
        subtitle={
          <Identity
            {...props}
            text={t("signIn.emailCodeSubtitle", {
              identifier: email?.safeIdentifier ?? props.signIn.identifier ?? "",
            })}
          />
        }
      />
      <MailedCodeForm
        submitLabel={t("signIn.codeSubmit")}
        attempt={async (code) =>
          props.advance(await props.signIn.attemptFirstFactor({ strategy: "EMAIL_CODE", code }))
        }
        resend={
          emailAddressId
            ? async () => {
                await props.signIn.prepareFirstFactor({ strategy: "EMAIL_CODE", emailAddressId });
              }
            : undefined
        }
        sentAt={props.sentAt}
        setSentAt={props.setSentAt}
        links={
          password && (
            <Link part="usePassword" onClick={() => props.navigate("password")}>
              {t("signIn.usePassword")}
            </Link>
          )
        }
      />
    </Card>
  );
}
