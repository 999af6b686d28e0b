/** @jsxImportSource preact */
// SignUp's second step: the code mailed to the new address, with "resend" after a countdown.
import type { SignUpResource } from "../../resources/sign-up";
import { useUi } from "../context";
import { Card, Header, Link } from "../primitives";
import { MailedCodeForm } from "../mailed-code";

/** The email code step. */
export function VerifyEmailStep(props: {
  signUp: SignUpResource;
  advance: (result: SignUpResource) => Promise<void>;
  sentAt: number;
  setSentAt: (at: number) => void;
  back: () => void;
}) {
  const { t } = useUi();
  return (
    <Card part="signUp">
      <Header
        title={t("signUp.verifyTitle")}
        subtitle={t("signUp.verifySubtitle", { emailAddress: props.signUp.emailAddress ?? "" })}
      />
      <MailedCodeForm
        submitLabel={t("signUp.verifySubmit")}
        attempt={async (code) =>
          props.advance(await props.signUp.attemptEmailAddressVerification({ code }))
        }
        resend={async () => {
          await props.signUp.prepareEmailAddressVerification();
        }}
        sentAt={props.sentAt}
        setSentAt={props.setSentAt}
        links={
          <Link part="editEmailAddress" onClick={props.back}>
            {t("signUp.editEmail")}
          </Link>
        }
      />
    </Card>
  );
}
