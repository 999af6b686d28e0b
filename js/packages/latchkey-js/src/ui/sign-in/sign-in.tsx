/** @jsxImportSource preact */
// <SignIn/>: the identifier, then the first factor the server offers for that user (password or
// an email code), the second factor (TOTP or a backup code), and "forgot password" through the
// reset code. Ends with setActive and the redirect rules (redirect.ts).
import { useState } from "preact/hooks";
import type { SignInResource } from "../../resources/sign-in";
import { useUi } from "../context";
import { Card, Spinner } from "../primitives";
import type { SignInProps } from "../props";
import { useRoute } from "../routing";
import { SignedInCard } from "../signed-in";
import { useFinish } from "../use-finish";
import { inProgress, type SignInStep, type StepProps } from "./flow";
import { IdentifierStep } from "./identifier-step";
import { EmailCodeStep, PasswordStep } from "./first-factor";
import { NewPasswordStep, ResetCodeStep } from "./reset-password";
import { SecondFactorStep } from "./second-factor";

/** The sign-in form: each step in turn, then signed in (or redirected). */
export function SignIn(props: SignInProps) {
  const { snapshot, environment, t } = useUi();
  const [route, navigate] = useRoute();
  const signIn = snapshot.client!.signIn;
  // A flow started (or resumed from the URL) here, and how it ended.
  const [active, setActive] = useState(() => route !== "" && inProgress(signIn));
  const { phase, error: finishError, finish } = useFinish(props);
  const [sentAt, setSentAt] = useState(0);

  if (phase === "leaving") {
    return (
      <Card>
        <Spinner />
      </Card>
    );
  }
  if (phase === "done" || (snapshot.session && !active && !environment?.multiSession)) {
    return <SignedInCard title={t("signIn.signedInTitle")} error={finishError} />;
  }

  const advance = async (result: SignInResource) => {
    setActive(true);
    if (result.status === "COMPLETE") return finish(result.createdSessionId!);
    if (result.status === "NEEDS_SECOND_FACTOR") return navigate("factor-two");
    if (result.status === "NEEDS_NEW_PASSWORD") return navigate("new-password");
  };

  const step: SignInStep = active || inProgress(signIn) ? (route as SignInStep) : "";
  const stepProps: StepProps = {
    signIn,
    advance,
    navigate,
    sentAt,
    setSentAt,
    restart: () => {
      setActive(false);
      navigate("");
    },
  };
  switch (step) {
    case "password":
      return <PasswordStep key="password" {...stepProps} />;
    case "email-code":
      return <EmailCodeStep key="email-code" {...stepProps} />;
    case "factor-two":
      return <SecondFactorStep key="factor-two" {...stepProps} />;
    case "reset-password":
      return <ResetCodeStep key="reset-password" {...stepProps} />;
    case "new-password":
      return <NewPasswordStep key="new-password" {...stepProps} />;
    default:
      return (
        <IdentifierStep
          key="identifier"
          {...stepProps}
          initialIdentifier={props.initialValues?.identifier}
          onStarted={() => setActive(true)}
        />
      );
  }
}
