/** @jsxImportSource preact */
// Password: change it (with the current one), or set one when the user has none.
import { useState } from "preact/hooks";
import type { UserResource } from "../../resources/user";
import { useUi } from "../context";
import { Button, ErrorBanner, Form, SuccessBanner } from "../primitives";
import { Checkbox, Field } from "../primitives";
import { useAction } from "../use-action";
import { Section, useNotice } from "./section";
import { useReverification } from "./use-reverification";

const fieldOf = (code: string) =>
  code === "INVALID_CREDENTIALS"
    ? "currentPassword"
    : code === "PASSWORD_TOO_WEAK" || code === "PASSWORD_COMPROMISED"
      ? "newPassword"
      : undefined;

/** The Password section. */
export function PasswordSection(props: { user: UserResource }) {
  const { t } = useUi();
  const { user } = props;
  const [editing, setEditing] = useState(false);
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [signOutOthers, setSignOutOthers] = useState(true);
  const action = useAction(["currentPassword", "newPassword", "confirmPassword"], fieldOf);
  const { guard, prompt } = useReverification();
  const [notice, setNotice] = useNotice();
  const hasPassword = user.passwordEnabled;

  const save = () => {
    setNotice(undefined);
    if (next !== confirm) {
      action.setError({
        code: "VALIDATION_FAILED",
        field: "confirmPassword",
        message: t("userProfile.passwordsDiffer"),
        until: undefined,
      });
      return;
    }
    void action.run(async () => {
      const done = await guard(() =>
        user.updatePassword({
          currentPassword: hasPassword ? current : undefined,
          newPassword: next,
          signOutOfOtherSessions: signOutOthers,
        }),
      );
      if (!done) return;
      setCurrent("");
      setNext("");
      setConfirm("");
      setEditing(false);
      setNotice(t("userProfile.passwordSaved"));
    });
  };

  return (
    <Section title={t("userProfile.passwordTitle")} part="profileSectionPassword">
      {prompt}
      {notice && <SuccessBanner>{notice}</SuccessBanner>}
      <p class="lk-section-text">
        {hasPassword ? t("userProfile.passwordSet") : t("userProfile.passwordNone")}
      </p>
      {editing ? (
        <div class="lk-panel" part="passwordForm">
          <ErrorBanner error={action.formError} />
          <Form onSubmit={save} focusFirst label={t("userProfile.passwordTitle")}>
            {/* For password managers: whose password this is. */}
            <input
              type="text"
              name="username"
              autocomplete="username"
              value={user.primaryEmailAddress?.emailAddress ?? user.username ?? ""}
              hidden
              readOnly
            />
            {hasPassword && (
              <Field
                label={t("userProfile.currentPasswordLabel")}
                name="currentPassword"
                type="password"
                autocomplete="current-password"
                value={current}
                onValue={setCurrent}
                error={action.fieldError("currentPassword")}
              />
            )}
            <Field
              label={t("common.newPasswordLabel")}
              name="newPassword"
              type="password"
              autocomplete="new-password"
              value={next}
              onValue={setNext}
              error={action.fieldError("newPassword")}
            />
            <Field
              label={t("userProfile.confirmPasswordLabel")}
              name="confirmPassword"
              type="password"
              autocomplete="new-password"
              value={confirm}
              onValue={setConfirm}
              error={action.fieldError("confirmPassword")}
            />
            <Checkbox
              label={t("userProfile.signOutOthers")}
              name="signOutOfOtherSessions"
              checked={signOutOthers}
              onChecked={setSignOutOthers}
            />
            <div class="lk-inline-actions">
              <Button busy={action.busy}>{t("userProfile.savePassword")}</Button>
              <Button variant="secondary" onClick={() => setEditing(false)}>
                {t("common.cancel")}
              </Button>
            </div>
          </Form>
        </div>
      ) : (
        <div class="lk-inline-actions">
          <Button variant="secondary" onClick={() => setEditing(true)}>
            {hasPassword ? t("userProfile.changePassword") : t("userProfile.setPassword")}
          </Button>
        </div>
      )}
    </Section>
  );
}
