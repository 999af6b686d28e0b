/** @jsxImportSource preact */
// The shared reverification of UserProfile: `guard(action)` runs a guarded action and, when the
// server answers REVERIFICATION_REQUIRED, `prompt` (rendered by the section in place) asks for
// the password or a code, then the action runs again.
import type { JSX } from "preact";
import { useMemo, useRef, useState } from "preact/hooks";
import type { UserResource } from "../../resources/user";
import { useUi } from "../context";
import { Button, Form, ErrorBanner, Link } from "../primitives";
import { CodeInput, Field } from "../primitives";
import { useUniqueId } from "../unique-id";
import { useAction } from "../use-action";
import { codeField } from "../errors";
import { ReverificationCancelled, type ReverificationStep, Reverifier } from "./reverification";

/** What `useReverification` answers. */
export interface Reverification {
  /** Runs `action`, asking the user to verify again when needed; `undefined` if they cancel. */
  guard: <T>(action: () => Promise<T>) => Promise<T | undefined>;
  /** The prompt while one is waiting (render it where the action was asked), else `null`. */
  prompt: JSX.Element | null;
}

/** One section's reverification (every section of UserProfile uses this hook). */
export function useReverification(): Reverification {
  const { snapshot } = useUi();
  const user = useRef<UserResource | null | undefined>(snapshot.user);
  user.current = snapshot.user;
  const [step, setStep] = useState<ReverificationStep>({ kind: "idle" });
  const reverifier = useMemo(
    () =>
      new Reverifier(() => {
        if (!user.current) throw new ReverificationCancelled();
        return user.current;
      }, setStep),
    [],
  );
  const guard = useMemo(
    () =>
      async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
        try {
          return await reverifier.guard(action);
        } catch (error) {
          if (error instanceof ReverificationCancelled) return undefined;
          throw error;
        }
      },
    [reverifier],
  );
  const prompt =
    step.kind === "idle" ? null : <ReverificationPrompt step={step} reverifier={reverifier} />;
  return { guard, prompt };
}

const fieldOf = (code: string) => (code === "INVALID_CREDENTIALS" ? "password" : codeField(code));

/** The in-place form of one reverification step. */
function ReverificationPrompt(props: { step: ReverificationStep; reverifier: Reverifier }) {
  const { t, snapshot } = useUi();
  const { step, reverifier } = props;
  const [value, setValue] = useState("");
  const action = useAction(["password", "code"], fieldOf);
  const email = snapshot.user?.primaryEmailAddress?.emailAddress ?? "";
  const text =
    step.kind === "password"
      ? t("userProfile.reverifyPassword")
      : step.kind === "email-code"
        ? t("userProfile.reverifyEmailCode", { emailAddress: step.sentTo ?? email })
        : step.kind === "second-factor" && step.strategy === "BACKUP_CODE"
          ? t("userProfile.reverifyBackupCode")
          : t("userProfile.reverifyTotp");
  const submit = () =>
    void action.run(async () => {
      await reverifier.submit(value);
      setValue("");
    });
  // A new step starts with an empty field that has the focus (the key remounts the form).
  const key = step.kind === "second-factor" ? step.strategy : step.kind;
  const titleId = useUniqueId();
  return (
    <div class="lk-panel" part="reverification" role="group" aria-labelledby={titleId}>
      <h3 class="lk-panel-title" id={titleId} part="reverificationTitle">
        {t("userProfile.reverifyTitle")}
      </h3>
      <p class="lk-section-text" part="reverificationText">
        {text}
      </p>
      <ErrorBanner error={action.formError} />
      <Form key={key} onSubmit={submit} focusFirst label={t("userProfile.reverifyTitle")}>
        {step.kind === "password" ? (
          <Field
            label={t("common.passwordLabel")}
            name="password"
            type="password"
            autocomplete="current-password"
            value={value}
            onValue={setValue}
            error={action.fieldError("password")}
          />
        ) : (
          <CodeInput
            label={
              step.kind === "second-factor" && step.strategy === "BACKUP_CODE"
                ? t("userProfile.backupCodeLabel")
                : step.kind === "second-factor"
                  ? t("userProfile.totpLabel")
                  : t("common.codeLabel")
            }
            name="code"
            digits={!(step.kind === "second-factor" && step.strategy === "BACKUP_CODE")}
            value={value}
            onValue={setValue}
            error={action.fieldError("code")}
          />
        )}
        <div class="lk-inline-actions">
          <Button busy={action.busy}>{t("userProfile.reverifySubmit")}</Button>
          <Button variant="secondary" onClick={() => reverifier.cancel()}>
            {t("common.cancel")}
          </Button>
        </div>
        {step.kind === "email-code" && (
          <Link onClick={() => void action.run(() => reverifier.sendCode())}>
            {t("common.resendCode")}
          </Link>
        )}
        {step.kind === "second-factor" && (
          <Link onClick={() => reverifier.toggleBackupCode()}>
            {step.strategy === "TOTP" ? t("userProfile.useBackupCode") : t("userProfile.useTotp")}
          </Link>
        )}
      </Form>
    </div>
  );
}
