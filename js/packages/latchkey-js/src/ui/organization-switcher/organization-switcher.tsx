/** @jsxImportSource preact */
// <OrganizationSwitcher/>: the active organization (or the personal account) on a button; its
// panel switches to another membership (the next session token's `o` claim follows), joins an
// organization the user is invited to, opens the organization's profile, or creates one.
import { useEffect, useRef, useState } from "preact/hooks";
import type { OrganizationInvitationResource } from "../../resources/organization";
import { useUi } from "../context";
import { useOrganizationAction } from "../organization-profile/org-action";
import { roleName } from "../organization-profile/permissions";
import { useOrganizationStyles } from "../organization-profile/styles";
import { Button, ErrorBanner, Popover, SuccessBanner } from "../primitives";
import type { ComponentProps, OrganizationSwitcherProps } from "../props";
import { redirectTo as goTo } from "../redirect";
import { organizationUrl, type SwitcherEntry, switcherModel } from "./model";
import { OrganizationAvatar } from "./organization-avatar";

/** The props every component shares, to hand on to the modals the switcher opens. */
const shared = (props: ComponentProps): ComponentProps => ({
  appearance: props.appearance,
  localization: props.localization,
});

/** `<OrganizationSwitcher/>`. */
export function OrganizationSwitcher(props: OrganizationSwitcherProps) {
  const { t, snapshot, environment } = useUi();
  const ref = useRef<HTMLDivElement>(null);
  useOrganizationStyles(ref);
  const model = switcherModel(
    snapshot,
    t("organizationSwitcher.personalAccount"),
    props.hidePersonal,
  );
  if (!model || (environment && !environment.organizationsEnabled)) return <div ref={ref} />;
  const active = model.active;
  const name = active?.name ?? t("organizationSwitcher.personalAccount");
  return (
    <div ref={ref} part="organizationSwitcher">
      <Popover
        label={t("organizationSwitcher.triggerLabel", { name })}
        align="start"
        part="organizationSwitcher"
        button={
          <span class="lk-org-trigger">
            <OrganizationAvatar
              name={name}
              imageUrl={active ? active.imageUrl : snapshot.user?.imageUrl}
            />
            <span class="lk-org-trigger-name">{name}</span>
            <span class="lk-org-chevron" aria-hidden="true" />
          </span>
        }
      >
        {(close) => <SwitcherPanel props={props} close={close} />}
      </Popover>
    </div>
  );
}

/** The panel under the button (read when it opens: the user's pending invitations). */
function SwitcherPanel(args: { props: OrganizationSwitcherProps; close: () => void }) {
  const { props, close } = args;
  const { t, latchkey, snapshot, open } = useUi();
  const action = useOrganizationAction([]);
  const [invitations, setInvitations] = useState<OrganizationInvitationResource[]>([]);
  const [joined, setJoined] = useState(false);
  const model = switcherModel(
    snapshot,
    t("organizationSwitcher.personalAccount"),
    props.hidePersonal,
  );
  useEffect(() => {
    void snapshot.user
      ?.getOrganizationInvitations()
      .then(setInvitations)
      .catch(() => setInvitations([]));
  }, [snapshot.user?.id]);
  if (!model) return null;
  const active = model.active;

  const select = (entry: SwitcherEntry) =>
    void action.run(async () => {
      await latchkey.setActive({ organization: entry.id });
      close();
      const url = props.afterSelectOrganizationUrl;
      const id = entry.id;
      if (url && id !== null) await goTo(latchkey, organizationUrl(url, { ...entry, id })!);
    });
  const accept = (invitation: OrganizationInvitationResource) =>
    void action.run(async () => {
      await invitation.accept();
      setInvitations((all) => all.filter((i) => i.id !== invitation.id));
      setJoined(true);
    });
  const manage = () => {
    close();
    if (props.organizationProfileMode === "navigation" && props.organizationProfileUrl)
      void goTo(latchkey, props.organizationProfileUrl);
    else open("OrganizationProfile", { ...shared(props), ...props.organizationProfileProps });
  };
  const create = () => {
    close();
    if (props.createOrganizationMode === "navigation" && props.createOrganizationUrl)
      void goTo(latchkey, props.createOrganizationUrl);
    else
      open("CreateOrganization", {
        ...shared(props),
        afterCreateOrganizationUrl: props.afterCreateOrganizationUrl,
      });
  };

  return (
    <div class="lk-org-panel" part="organizationSwitcherPanel">
      {active && (
        <div class="lk-org-current" part="organizationSwitcherActive">
          <span class="lk-org-who">
            <OrganizationAvatar name={active.name} imageUrl={active.imageUrl} />
            <span>
              <span class="lk-org-name">{active.name}</span>
              <span class="lk-org-sub">{roleName(active.role ?? "")}</span>
            </span>
          </span>
          <Button variant="secondary" part="organizationSwitcherManage" onClick={manage}>
            {t("organizationSwitcher.manageOrganization")}
          </Button>
        </div>
      )}
      <ErrorBanner error={action.formError} />
      {joined && <SuccessBanner>{t("organizationSwitcher.invitationAccepted")}</SuccessBanner>}
      {model.choices.length > 0 && (
        <ul class="lk-org-list" part="organizationSwitcherList">
          {model.choices.map((entry) => (
            <li key={entry.id ?? "personal"}>
              <button
                type="button"
                class="lk-menu-item"
                part="menuItem organizationSwitcherItem"
                disabled={action.busy}
                onClick={() => select(entry)}
              >
                <OrganizationAvatar name={entry.name} imageUrl={entry.imageUrl} />
                <span class="lk-org-who">
                  <span>
                    <span class="lk-visually-hidden">{t("organizationSwitcher.switchTo")} </span>
                    <span class="lk-org-name">{entry.name}</span>
                    {entry.role && <span class="lk-org-sub">{roleName(entry.role)}</span>}
                  </span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {invitations.length > 0 && (
        <div part="organizationSwitcherInvitations">
          <h2 class="lk-org-heading">{t("organizationSwitcher.invitationsTitle")}</h2>
          <ul class="lk-org-list">
            {invitations.map((invitation) => (
              <li key={invitation.id} class="lk-org-invite" data-invitation-id={invitation.id}>
                <span id={`lk-invitation-${invitation.id}`}>
                  {t("organizationSwitcher.invitationTo", {
                    emailAddress: invitation.emailAddress,
                    role: roleName(invitation.role),
                  })}
                </span>
                <Button
                  variant="primary"
                  type="button"
                  busy={action.busy}
                  part="organizationSwitcherAccept"
                  aria-describedby={`lk-invitation-${invitation.id}`}
                  onClick={() => accept(invitation)}
                >
                  {t("organizationSwitcher.acceptInvitation")}
                </Button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div class="lk-org-foot">
        <button
          type="button"
          class="lk-menu-item"
          part="menuItem organizationSwitcherCreate"
          onClick={create}
        >
          <span class="lk-org-plus" aria-hidden="true">
            +
          </span>
          <span>{t("organizationSwitcher.createOrganization")}</span>
        </button>
      </div>
    </div>
  );
}
