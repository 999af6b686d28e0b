/** @jsxImportSource preact */
// Two-step verification: TOTP enrolment (QR code and setup key, then a code from the app), the
// backup codes shown once, new backup codes, and turning it off.
import { useMemo, useState } from "preact/hooks";
import type { UserResource } from "../../resources/user";
import { useUi } from "../context";
import { Button, ErrorBanner, Form, SuccessBanner } from "../primitives";
import { CodeInput } from "../primitives";
import { useAction } from "../use-action";
import { qrPath } from "./qr";
import { codeField } from "../errors";
import { Section, useNotice } from "./section";
import { useReverification } from "./use-reverification";
import { backupCodesText } from "./validation";

/** Where the section stands beyond what the user's flags say. */
type Stage =
  | { kind: "none" }
  | { kind: "enrolling"; secret: string; uri: string }
  | { kind: "codes"; codes: string[] }
  | { kind: "confirm-disable" };

/** The Two-step verification section. */
export function TwoFactorSection(props: { user: UserResource }) {
  const { t } = useUi();
  const { user } = props;
  const [stage, setStage] = useState<Stage>({ kind: "none" });
  const action = useAction([]);
  const { guard, prompt } = useReverification();
  const [notice, setNotice] = useNotice();

  const start = () =>
    void action.run(async () => {
      setNotice(undefined);
      const totp = await guard(() => user.createTotp());
      if (totp) setStage({ kind: "enrolling", ...totp });
    });
  const regenerate = () =>
    void action.run(async () => {
      setNotice(undefined);
      const result = await guard(() => user.createBackupCodes());
      if (result) setStage({ kind: "codes", codes: result.codes });
    });
  const disable = () =>
    void action.run(async () => {
      const done = await guard(() => user.disableTotp());
      if (!done) return;
      setStage({ kind: "none" });
      setNotice(t("userProfile.totpDisabled"));
    });

  return (
    <Section title={t("userProfile.twoFactorTitle")} part="profileSectionTwoFactor">
      {prompt}
      {notice && <SuccessBanner>{notice}</SuccessBanner>}
      <ErrorBanner error={action.formError} />
      <p class="lk-section-text">
        {user.totpEnabled ? t("userProfile.twoFactorOn") : t("userProfile.twoFactorOff")}
      </p>
      {stage.kind === "enrolling" && (
        <Enrol
          user={user}
          secret={stage.secret}
          uri={stage.uri}
          onVerified={(codes) => setStage({ kind: "codes", codes })}
          onCancel={() => setStage({ kind: "none" })}
        />
      )}
      {stage.kind === "codes" && (
        <BackupCodes codes={stage.codes} onDone={() => setStage({ kind: "none" })} />
      )}
      {stage.kind === "confirm-disable" && (
        <div class="lk-panel lk-panel-danger" part="confirmDisableTotp">
          <p class="lk-section-text">{t("userProfile.confirmDisableTotp")}</p>
          <div class="lk-inline-actions">
            <Button variant="danger" busy={action.busy} onClick={disable}>
              {t("userProfile.disableTotp")}
            </Button>
            <Button variant="secondary" onClick={() => setStage({ kind: "none" })}>
              {t("common.cancel")}
            </Button>
          </div>
        </div>
      )}
      {stage.kind === "none" && (
        <div class="lk-inline-actions">
          {user.totpEnabled ? (
            <>
              <Button variant="secondary" busy={action.busy} onClick={regenerate}>
                {t("userProfile.regenerateCodes")}
              </Button>
              <Button variant="danger" onClick={() => setStage({ kind: "confirm-disable" })}>
                {t("userProfile.disableTotp")}
              </Button>
            </>
          ) : (
            <Button variant="secondary" busy={action.busy} onClick={start}>
              {t("userProfile.enableTotp")}
            </Button>
          )}
        </div>
      )}
    </Section>
  );
}

/** The QR code of an `otpauth://` URI as an SVG (black on white, whatever the theme). */
export function QrCode(props: { uri: string; label: string }) {
  const { size, d } = useMemo(() => qrPath(props.uri), [props.uri]);
  return (
    <svg
      class="lk-qr"
      part="totpQrCode"
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label={props.label}
      shape-rendering="crispEdges"
    >
      <rect width={size} height={size} fill="#ffffff" />
      <path d={d} fill="#000000" />
    </svg>
  );
}

/** The setup key in groups of four, easier to type by hand. */
const grouped = (secret: string): string => secret.replace(/(.{4})(?=.)/g, "$1 ");

function Enrol(props: {
  user: UserResource;
  secret: string;
  uri: string;
  onVerified: (codes: string[]) => void;
  onCancel: () => void;
}) {
  const { t } = useUi();
  const [code, setCode] = useState("");
  const action = useAction(["code"], codeField);
  const verify = () =>
    void action.run(async () => {
      const { codes } = await props.user.verifyTotp({ code: code.trim() });
      props.onVerified(codes);
    });
  return (
    <div class="lk-panel" part="totpEnrolment">
      <p class="lk-section-text">{t("userProfile.totpScan")}</p>
      <QrCode uri={props.uri} label={t("userProfile.totpQrLabel")} />
      <p class="lk-panel-title">{t("userProfile.totpSecretLabel")}</p>
      <code class="lk-secret" part="totpSecret">
        {grouped(props.secret)}
      </code>
      <ErrorBanner error={action.formError} />
      <Form onSubmit={verify} focusFirst label={t("userProfile.enableTotp")}>
        <CodeInput
          label={t("userProfile.totpCodeLabel")}
          name="code"
          value={code}
          onValue={setCode}
          error={action.fieldError("code")}
        />
        <div class="lk-inline-actions">
          <Button busy={action.busy}>{t("userProfile.totpVerify")}</Button>
          <Button variant="secondary" onClick={props.onCancel}>
            {t("common.cancel")}
          </Button>
        </div>
      </Form>
    </div>
  );
}

/** The backup codes, shown this once, to copy or download. */
function BackupCodes(props: { codes: string[]; onDone: () => void }) {
  const { t, environment } = useUi();
  const [copied, setCopied] = useState(false);
  const text = backupCodesText(props.codes, environment?.name ?? "Latchkey");
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = "backup-codes.txt";
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <div class="lk-panel" part="backupCodes">
      <p class="lk-panel-title">{t("userProfile.backupCodesTitle")}</p>
      <p class="lk-section-text">{t("userProfile.backupCodesShownOnce")}</p>
      <ul class="lk-codes" part="backupCodeList">
        {props.codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      {copied && <SuccessBanner>{t("userProfile.codesCopied")}</SuccessBanner>}
      <div class="lk-inline-actions">
        <Button
          variant="secondary"
          onClick={() =>
            void navigator.clipboard?.writeText(text).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {t("userProfile.copyCodes")}
        </Button>
        <Button variant="secondary" onClick={download}>
          {t("userProfile.downloadCodes")}
        </Button>
        <Button onClick={props.onDone} type="button">
          {t("userProfile.codesDone")}
        </Button>
      </div>
    </div>
  );
}
