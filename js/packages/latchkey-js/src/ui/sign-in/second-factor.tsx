/** @jsxImportSource preact */
// SignIn's second factor: a code from the authenticator app (TOTP), or one of the backup codes.
import { useState } from "preact/hooks";
import type { SecondFactorStrategy } from "../../generated/graphql";
import { useUi } from "../context";
import { Button, Card, CodeInput, ErrorBanner, Footer, Form, Header, Link } from "../primitives";
import { useAction } from "../use-action";
import { codeField, requiredError } from "../errors";
import { type StepProps } from "./flow";

/** The second factor step, with a switch between the factors the user has. */
export function SecondFactorStep(props: StepProps) {
  const { t } = useUi();
  const offered = props.signIn.supportedSecondFactors.map((f) => f.strategy);
  const [strategy, setStrategy] = useState<SecondFactorStrategy>(
    offered.includes("TOTP") || offered.length === 0 ? "TOTP" : offered[0]!,
  );
  const [code, setCode] = useState("");
  const action = useAction(["code"], codeField);
  const totp = strategy === "TOTP";
  const other: SecondFactorStrategy = totp ? "BACKUP_CODE" : "TOTP";
  return (
    <Card part="signIn">
      <Header
        title={t("signIn.secondFactorTitle")}
        subtitle={totp ? t("signIn.totpSubtitle") : t("signIn.backupCodeSubtitle")}
      />
      <ErrorBanner error={action.formError} />
      <Form
        key={strategy}
        focusFirst
        onSubmit={() =>
          void action.run(async () => {
            if (code.trim() === "") throw requiredError("code", t);
            const result = await props.signIn.attemptSecondFactor({ strategy, code: code.trim() });
            await props.advance(result);
          })
        }
      >
        <CodeInput
          label={totp ? t("signIn.totpLabel") : t("signIn.backupCodeLabel")}
          name="code"
          digits={totp}
          value={code}
          onValue={setCode}
          error={action.fieldError("code")}
          required
        />
        <Button busy={action.busy}>{t("signIn.codeSubmit")}</Button>
      </Form>
      <Footer>
        {offered.includes(other) && (
          <Link
            part={totp ? "useBackupCode" : "useTotp"}
            onClick={() => {
              setStrategy(other);
              setCode("");
              action.setError(undefined);
            }}
          >
            {totp ? t("signIn.useBackupCode") : t("signIn.useTotp")}
          </Link>
        )}
        <Link part="editIdentifier" onClick={props.restart}>
          {t("signIn.editIdentifier")}
        </Link>
      </Footer>
    </Card>
  );
}
