/** @jsxImportSource preact */
// Delete account (where the instance's `deleteSelfEnabled` allows it): type a phrase to confirm.
import { useState } from "preact/hooks";
import type { UserResource } from "../../resources/user";
import { useUi } from "../context";
import { Button, ErrorBanner, Form } from "../primitives";
import { Field } from "../primitives";
import { goToPropUrl } from "../redirect";
import { useAction } from "../use-action";
import { Section } from "./section";
import { useReverification } from "./use-reverification";
import { deletionConfirmed } from "./validation";

/** The Delete account section. */
export function DeleteSection(props: { user: UserResource }) {
  const { t, props: shared, close } = useUi();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const action = useAction(["confirmation"]);
  const { guard, prompt } = useReverification();
  const phrase = t("userProfile.deletePhrase");
  const confirmed = deletionConfirmed(typed, phrase);
  const remove = () => {
    if (!confirmed) return;
    void action.run(async () => {
      const done = await guard(async () => {
        await props.user.delete();
        return true;
      });
      if (!done) return;
      close();
      // Signed out: nothing to hand over to the app, a plain navigation.
      if (shared.afterSignOutUrl) goToPropUrl(shared.afterSignOutUrl);
    });
  };
  return (
    <Section title={t("userProfile.deleteTitle")} part="profileSectionDelete">
      {prompt}
      <p class="lk-section-text">{t("userProfile.deleteDescription")}</p>
      {open ? (
        <div class="lk-panel lk-panel-danger" part="deleteAccountForm">
          <ErrorBanner error={action.formError} />
          <Form onSubmit={remove} focusFirst label={t("userProfile.deleteTitle")}>
            <Field
              label={t("userProfile.deleteConfirmLabel", { phrase })}
              name="confirmation"
              autocomplete="off"
              value={typed}
              onValue={setTyped}
              error={action.fieldError("confirmation")}
            />
            <div class="lk-inline-actions">
              <Button variant="danger" type="submit" busy={action.busy} disabled={!confirmed}>
                {t("userProfile.deleteSubmit")}
              </Button>
              <Button variant="secondary" onClick={() => setOpen(false)}>
                {t("common.cancel")}
              </Button>
            </div>
          </Form>
        </div>
      ) : (
        <div class="lk-inline-actions">
          <Button variant="danger" onClick={() => setOpen(true)}>
            {t("userProfile.deleteButton")}
          </Button>
        </div>
      )}
    </Section>
  );
}
