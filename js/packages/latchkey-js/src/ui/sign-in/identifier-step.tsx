/** @jsxImportSource preact */
// SignIn's first step: who is signing in. The server answers which first factors that user has.
import { useState } from "preact/hooks";
import type { SignInResource } from "../../resources/sign-in";
import { useUi } from "../context";
import { Button, Card, ErrorBanner, Field, Footer, Form, Header, Link } from "../primitives";
import { linkKeepingRedirect } from "../redirect";
import { useAction } from "../use-action";
import { requiredError } from "../errors";
import { factor, type StepProps } from "./flow";
import { LatchkeyError } from "../../errors";

/** The identifier form, and the link to sign up. */
export function IdentifierStep(
  props: StepProps & { initialIdentifier: string | undefined; onStarted: () => void },
) {
  const { environment, t, mode } = useUi();
  const [identifier, setIdentifier] = useState(
    props.initialIdentifier ?? props.signIn.identifier ?? "",
  );
  const action = useAction(["identifier"]);
  const emailOnly = environment?.signUp.username === "OFF";
  const label = emailOnly ? t("signIn.emailLabel") : t("signIn.identifierLabel");

  const firstFactor = async (started: SignInResource) => {
    if (factor(started, "PASSWORD")) return props.navigate("password");
    const email = factor(started, "EMAIL_CODE");
    if (email?.emailAddressId) {
      await started.prepareFirstFactor({
        strategy: "EMAIL_CODE",
        emailAddressId: email.emailAddressId,
      });
      props.setSentAt(Date.now());
      return props.navigate("email-code");
    }
    throw new LatchkeyError("NO_FACTOR", t("signIn.noFactor"));
  };

  return (
    <Card part="signIn">
      <Header
        title={t("signIn.title")}
        subtitle={environment ? t("signIn.subtitle", { name: environment.name }) : undefined}
      />
      <ErrorBanner error={action.formError} />
      <Form
        focusFirst={mode !== "mounted"}
        onSubmit={() =>
          void action.run(async () => {
            if (identifier.trim() === "") throw requiredError("identifier", t);
            const started = await props.signIn.create({ identifier: identifier.trim() });
            props.onStarted();
            await firstFactor(started);
          })
        }
      >
        <Field
          label={label}
          name="identifier"
          type={emailOnly ? "email" : "text"}
          autocomplete="username"
          value={identifier}
          onValue={setIdentifier}
          error={action.fieldError("identifier")}
          required
        />
        <Button busy={action.busy}>{t("common.continue")}</Button>
      </Form>
      <SignUpLink />
    </Card>
  );
}

/** "No account? Sign up": to `signUpUrl`, the SignUp modal, or the Account Portal's page. */
function SignUpLink() {
  const { latchkey, environment, props, t, mode, close, open } = useUi();
  if (environment?.signUp.mode !== "PUBLIC") return null;
  const href = props.signUpUrl
    ? linkKeepingRedirect(props.signUpUrl)
    : mode === "modal"
      ? undefined
      : latchkey.buildSignUpUrl();
  return (
    <Footer>
      <span>
        {t("signIn.noAccount")}{" "}
        <Link
          href={href}
          part="signUpLink"
          onClick={
            href === undefined
              ? () => {
                  close();
                  open("SignUp", props);
                }
              : undefined
          }
        >
          {t("signIn.signUpLink")}
        </Link>
      </span>
    </Footer>
  );
}
