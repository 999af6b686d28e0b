/** @jsxImportSource preact */
// <SignUp/>: the fields the instance asks for (environment.signUp), feedback on the password
// policy, then the code mailed to the address (resend after a countdown). Ends with setActive and
// the redirect rules (redirect.ts).
import { useState } from "preact/hooks";
import type { SignUpResource } from "../../resources/sign-up";
import { useUi } from "../context";
import { fieldName, requiredError } from "../errors";
import { Card, Spinner } from "../primitives";
import type { SignUpProps } from "../props";
import { useRoute } from "../routing";
import { SignedInCard } from "../signed-in";
import { useFinish } from "../use-finish";
import { SignUpForm } from "./sign-up-form";
import { VerifyEmailStep } from "./verify-email";

/** The sign-up form, then the email code, then signed in (or redirected). */
export function SignUp(props: SignUpProps) {
  const { snapshot, environment, t } = useUi();
  const [route, navigate] = useRoute();
  const signUp = snapshot.client!.signUp;
  const pending = signUp.status === "MISSING_REQUIREMENTS" && signUp.emailAddress !== null;
  const [active, setActive] = useState(() => route !== "" && pending);
  const [sentAt, setSentAt] = useState(0);
  const { phase, error, finish } = useFinish(props);

  if (phase === "leaving") {
    return (
      <Card>
        <Spinner />
      </Card>
    );
  }
  if (phase === "done" || (snapshot.session && !active && !environment?.multiSession)) {
    return <SignedInCard title={t("signUp.signedInTitle")} error={error} />;
  }

  const advance = async (result: SignUpResource) => {
    setActive(true);
    if (result.status === "COMPLETE") return finish(result.createdSessionId!);
    if (result.unverifiedFields.length > 0 && result.emailAddress) {
      await result.prepareEmailAddressVerification();
      setSentAt(Date.now());
      return navigate("verify-email-address");
    }
    // Something the form did not ask for (the instance's settings changed): say which.
    throw requiredError(fieldName(result.missingFields[0]) ?? "emailAddress", t);
  };

  if ((active || pending) && route === "verify-email-address") {
    return (
      <VerifyEmailStep
        signUp={signUp}
        advance={advance}
        sentAt={sentAt}
        setSentAt={setSentAt}
        back={() => {
          setActive(false);
          navigate("");
        }}
      />
    );
  }
  return <SignUpForm {...props} signUp={signUp} advance={advance} />;
}
