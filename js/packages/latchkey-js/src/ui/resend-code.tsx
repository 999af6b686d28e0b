/** @jsxImportSource preact */
// "Resend code", disabled with its countdown for a while after each code sent.
import { useState } from "preact/hooks";
import { useUi } from "./context";
import { useSecondsLeft } from "./primitives";

/** Seconds between two codes asked for by the user. */
export const RESEND_AFTER_SECONDS = 30;

/**
 * A "Resend code" link, waiting `RESEND_AFTER_SECONDS` after the last code (`sentAt`, ms since
 * the epoch) with the wait shown; `onResend` sends one and resolves whether it was sent.
 */
export function ResendCode(props: { sentAt: number; onResend: () => Promise<boolean> }) {
  const { t } = useUi();
  const [busy, setBusy] = useState(false);
  const left = useSecondsLeft(props.sentAt + RESEND_AFTER_SECONDS * 1000);
  const waiting = left > 0 || busy;
  // One button throughout, so the focus stays on it while it waits (`aria-disabled`, not
  // `disabled`, which would drop the focus).
  return (
    <button
      type="button"
      class="lk-link"
      part={waiting ? "link resendCountdown" : "link resendCode"}
      aria-disabled={waiting ? "true" : undefined}
      onClick={() => {
        if (waiting) return;
        setBusy(true);
        void props.onResend().finally(() => setBusy(false));
      }}
    >
      {waiting && left > 0 ? t("common.resendCodeIn", { seconds: left }) : t("common.resendCode")}
    </button>
  );
}
