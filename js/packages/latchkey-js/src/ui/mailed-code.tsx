/** @jsxImportSource preact */
// A code mailed to the person, as SignIn's email-code and reset steps and SignUp's verification
// ask for it: the code's form with its errors, and "Resend code" after its countdown.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { useUi } from "./context";
import { codeField, requiredError } from "./errors";
import { Button, CodeInput, ErrorBanner, Footer, Form, SuccessBanner } from "./primitives";
import { ResendCode } from "./resend-code";
import { useAction } from "./use-action";

/** What a mailed-code form does and shows. */
export interface MailedCodeProps {
  submitLabel: string;
  /** Tries the code (trimmed); a failure shows under the field or above the form. */
  attempt: (code: string) => Promise<void>;
  /** Mails another code; without it there is no "Resend code". */
  resend?: () => Promise<void>;
  /** When the last code was mailed (ms since the epoch), and how to say a new one was. */
  sentAt: number;
  setSentAt: (at: number) => void;
  /** More links under the form, after "Resend code". */
  links?: ComponentChildren;
}

/** The code's form, its errors, and "Resend code" with its countdown. */
export function MailedCodeForm(props: MailedCodeProps) {
  const { t } = useUi();
  const [code, setCode] = useState("");
  const [resent, setResent] = useState(false);
  const action = useAction(["code"], codeField);
  const resend = props.resend;
  return (
    <>
      {resent && !action.error && <SuccessBanner>{t("common.codeSent")}</SuccessBanner>}
      <ErrorBanner error={action.formError} />
      <Form
        focusFirst
        onSubmit={() =>
          void action.run(async () => {
            if (code.trim() === "") throw requiredError("code", t);
            await props.attempt(code.trim());
          })
        }
      >
        <CodeInput
          label={t("common.codeLabel")}
          name="code"
          value={code}
          onValue={setCode}
          error={action.fieldError("code")}
          required
        />
        <Button busy={action.busy}>{props.submitLabel}</Button>
      </Form>
      {(resend || props.links) && (
        <Footer>
          {resend && (
            <ResendCode
              sentAt={props.sentAt}
              onResend={async () => {
                const sent = await action.run(async () => {
                  await resend();
                  return true;
                });
                if (sent) {
                  props.setSentAt(Date.now());
                  setResent(true);
                }
                return sent === true;
              }}
            />
          )}
          {props.links}
        </Footer>
      )}
    </>
  );
}
