/** @jsxImportSource preact */
// Email addresses: the user's addresses with their state; add one (then verify it by the mailed
// code), verify, make primary, remove.
import { useState } from "preact/hooks";
import type { EmailAddressResource } from "../../resources/email-address";
import type { UserResource } from "../../resources/user";
import { useUi } from "../context";
import { Button, ErrorBanner, Form, Link, SuccessBanner } from "../primitives";
import { CodeInput, Field } from "../primitives";
import { useAction } from "../use-action";
import { codeField } from "../errors";
import { Section, useNotice } from "./section";
import { useReverification } from "./use-reverification";

/** What one address's row shows below it. */
type Open = { id: string; kind: "verify" | "remove" } | null;

/** The Email addresses section. */
export function EmailSection(props: { user: UserResource }) {
  const { t } = useUi();
  const { user } = props;
  const [open, setOpen] = useState<Open>(null);
  const [adding, setAdding] = useState(false);
  const [email, setEmail] = useState("");
  const action = useAction(["emailAddress"]);
  const { guard, prompt } = useReverification();
  const [notice, setNotice] = useNotice();

  const add = () =>
    void action.run(async () => {
      setNotice(undefined);
      const created = await guard(() => user.createEmailAddress({ email: email.trim() }));
      if (!created) return;
      await created.prepareVerification();
      setEmail("");
      setAdding(false);
      setOpen({ id: created.id, kind: "verify" });
    });
  const startVerify = (address: EmailAddressResource) =>
    void action.run(async () => {
      setNotice(undefined);
      await address.prepareVerification();
      setOpen({ id: address.id, kind: "verify" });
    });
  const makePrimary = (address: EmailAddressResource) =>
    void action.run(async () => {
      setNotice(undefined);
      const done = await guard(async () => {
        await address.setAsPrimary();
        return true;
      });
      if (done) setNotice(t("userProfile.primaryChanged", { emailAddress: address.emailAddress }));
    });
  const remove = (address: EmailAddressResource) =>
    void action.run(async () => {
      const done = await guard(async () => {
        await address.destroy();
        return true;
      });
      if (!done) return;
      setOpen(null);
      setNotice(t("userProfile.emailRemoved", { emailAddress: address.emailAddress }));
    });

  return (
    <Section title={t("userProfile.emailsTitle")} part="profileSectionEmailAddresses">
      {prompt}
      {notice && <SuccessBanner>{notice}</SuccessBanner>}
      <ErrorBanner error={action.formError} />
      <ul class="lk-list" part="emailAddressList">
        {user.emailAddresses.map((address) => {
          const primary = address.id === user.primaryEmailAddressId;
          const verified = address.verification.status === "VERIFIED";
          const label = { emailAddress: address.emailAddress };
          return (
            <li key={address.id} class="lk-item" part="emailAddressItem">
              <div class="lk-item-main">
                <span class="lk-item-title">
                  {address.emailAddress}
                  {primary && (
                    <span class="lk-badge lk-badge-primary" part="badge">
                      {t("userProfile.primary")}
                    </span>
                  )}
                  <span class="lk-badge" part="badge">
                    {verified ? t("userProfile.verified") : t("userProfile.unverified")}
                  </span>
                </span>
              </div>
              <div class="lk-item-actions">
                {!verified && (
                  <Button
                    variant="secondary"
                    aria-label={t("userProfile.verifyEmailLabel", label)}
                    disabled={action.busy}
                    onClick={() => startVerify(address)}
                  >
                    {t("userProfile.verifyEmail")}
                  </Button>
                )}
                {verified && !primary && (
                  <Button
                    variant="secondary"
                    aria-label={t("userProfile.makePrimaryLabel", label)}
                    disabled={action.busy}
                    onClick={() => makePrimary(address)}
                  >
                    {t("userProfile.makePrimary")}
                  </Button>
                )}
                {!primary && (
                  <Button
                    variant="danger"
                    aria-label={t("userProfile.removeEmailLabel", label)}
                    disabled={action.busy}
                    onClick={() => setOpen({ id: address.id, kind: "remove" })}
                  >
                    {t("common.remove")}
                  </Button>
                )}
              </div>
              {open?.id === address.id && open.kind === "verify" && (
                <VerifyEmail
                  address={address}
                  onDone={() => {
                    setOpen(null);
                    setNotice(t("userProfile.emailVerified", label));
                  }}
                  onCancel={() => setOpen(null)}
                />
              )}
              {open?.id === address.id && open.kind === "remove" && (
                <div class="lk-item-wide lk-panel lk-panel-danger" part="confirmRemoveEmail">
                  <p class="lk-section-text">{t("userProfile.confirmRemoveEmail", label)}</p>
                  <div class="lk-inline-actions">
                    <Button variant="danger" busy={action.busy} onClick={() => remove(address)}>
                      {t("common.remove")}
                    </Button>
                    <Button variant="secondary" onClick={() => setOpen(null)}>
                      {t("common.cancel")}
                    </Button>
                  </div>
                </div>
              )}
            </li>
          );
        })}
      </ul>
      {adding ? (
        <Form onSubmit={add} focusFirst label={t("userProfile.addEmail")}>
          <Field
            label={t("common.emailAddressLabel")}
            name="emailAddress"
            type="email"
            autocomplete="email"
            inputMode="email"
            value={email}
            onValue={setEmail}
            error={action.fieldError("emailAddress")}
          />
          <div class="lk-inline-actions">
            <Button busy={action.busy}>{t("userProfile.addEmailSubmit")}</Button>
            <Button variant="secondary" onClick={() => setAdding(false)}>
              {t("common.cancel")}
            </Button>
          </div>
        </Form>
      ) : (
        <Link onClick={() => setAdding(true)}>{t("userProfile.addEmail")}</Link>
      )}
    </Section>
  );
}

/** The code form under an address whose code was just mailed. */
function VerifyEmail(props: {
  address: EmailAddressResource;
  onDone: () => void;
  onCancel: () => void;
}) {
  const { t } = useUi();
  const [code, setCode] = useState("");
  const action = useAction(["code"], codeField);
  const label = { emailAddress: props.address.emailAddress };
  const verify = () =>
    void action.run(async () => {
      await props.address.attemptVerification({ code: code.trim() });
      props.onDone();
    });
  return (
    <div class="lk-item-wide lk-panel" part="verifyEmailAddress">
      <p class="lk-panel-title">{t("userProfile.verifyEmailTitle", label)}</p>
      <p class="lk-section-text">{t("userProfile.verifyEmailSubtitle", label)}</p>
      <ErrorBanner error={action.formError} />
      <Form onSubmit={verify} focusFirst label={t("userProfile.verifyEmailTitle", label)}>
        <CodeInput
          label={t("common.codeLabel")}
          name="code"
          value={code}
          onValue={setCode}
          error={action.fieldError("code")}
        />
        <div class="lk-inline-actions">
          <Button busy={action.busy}>{t("userProfile.verifyEmailSubmit")}</Button>
          <Button variant="secondary" onClick={props.onCancel}>
            {t("common.cancel")}
          </Button>
          <Button
            variant="secondary"
            disabled={action.busy}
            onClick={() => void action.run(() => props.address.prepareVerification())}
          >
            {t("common.resendCode")}
          </Button>
        </div>
      </Form>
    </div>
  );
}
