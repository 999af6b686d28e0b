/** @jsxImportSource preact */
// Leaving the organization (any member but its last admin), after a confirmation.
import { useEffect, useRef, useState } from "preact/hooks";
import { useUniqueId } from "../unique-id";
import type { OrganizationResource } from "../../resources/organization";
import { useUi } from "../context";
import { Button, ErrorBanner } from "../primitives";
import { useOrganizationAction } from "./org-action";

/** The leave section; `onLeft` once the user is no longer a member. */
export function LeaveSection(props: { organization: OrganizationResource; onLeft: () => void }) {
  const { t, latchkey, snapshot } = useUi();
  const titleId = useUniqueId();
  const [confirming, setConfirming] = useState(false);
  const section = useRef<HTMLElement>(null);
  const asked = useRef(false);
  // The buttons swap places when asking to confirm, and back: the focus follows them.
  useEffect(() => {
    if (!confirming && !asked.current) return;
    asked.current = true;
    const part = confirming ? "organizationLeaveConfirm" : "organizationLeave";
    section.current?.querySelector<HTMLElement>(`[part~="${part}"]`)?.focus();
  }, [confirming]);
  const action = useOrganizationAction([]);
  const name = props.organization.name;
  const leave = () =>
    void action
      .run(async () => {
        const wasActive = latchkey.organization?.id === props.organization.id;
        await snapshot.user!.leaveOrganization(props.organization.id);
        // The token's `o` claim still names it: a new token without it, now.
        if (wasActive) await latchkey.setActive({ organization: null });
        return true;
      })
      .then((ok) => ok && props.onLeft());
  return (
    <section
      class="lk-org-section"
      part="organizationProfileLeave"
      aria-labelledby={titleId}
      ref={section}
    >
      <h2 class="lk-org-section-title" id={titleId}>
        {t("organizationProfile.leaveTitle")}
      </h2>
      <p class="lk-org-note">{t("organizationProfile.leaveDescription", { organization: name })}</p>
      <ErrorBanner error={action.formError} />
      {confirming ? (
        <div
          class="lk-org-confirm"
          role="group"
          aria-label={t("organizationProfile.confirmLeave", { organization: name })}
        >
          <span>{t("organizationProfile.confirmLeave", { organization: name })}</span>
          <Button
            variant="danger"
            busy={action.busy}
            part="organizationLeaveConfirm"
            onClick={leave}
          >
            {t("organizationProfile.confirmYes")}
          </Button>
          <Button variant="secondary" onClick={() => setConfirming(false)}>
            {t("common.cancel")}
          </Button>
        </div>
      ) : (
        <Button variant="danger" part="organizationLeave" onClick={() => setConfirming(true)}>
          {t("organizationProfile.leaveButton")}
        </Button>
      )}
    </section>
  );
}
