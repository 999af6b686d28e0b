/** @jsxImportSource preact */
// What OrganizationProfile shows when no organization is active (the Account Portal's
// organization page has no switcher): the user's organizations to make active, and a way to
// create one.
import { useUi } from "../context";
import { switcherModel } from "../organization-switcher/model";
import { OrganizationAvatar } from "../organization-switcher/organization-avatar";
import { Button, ErrorBanner } from "../primitives";
import { useOrganizationAction } from "./org-action";
import { roleName } from "./permissions";

/** The choice of an organization to manage, or of creating one. */
export function NoOrganization() {
  const { t, latchkey, snapshot, props, open } = useUi();
  const action = useOrganizationAction([]);
  const model = switcherModel(snapshot, "", true);
  const choices = model?.choices ?? [];
  return (
    <div class="lk-org-stack" part="organizationProfileChoose">
      <p class="lk-org-note">
        {choices.length > 0
          ? t("organizationProfile.noActiveOrganization")
          : t("organizationProfile.noOrganizations")}
      </p>
      <ErrorBanner error={action.formError} />
      {choices.length > 0 && (
        <ul class="lk-org-list" part="organizationProfileChoices">
          {choices.map((entry) => (
            <li key={entry.id}>
              <button
                type="button"
                class="lk-menu-item"
                part="menuItem organizationProfileChoice"
                disabled={action.busy}
                onClick={() =>
                  void action.run(() => latchkey.setActive({ organization: entry.id }))
                }
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
      <Button
        variant="secondary"
        part="organizationProfileCreate"
        onClick={() =>
          open("CreateOrganization", {
            appearance: props.appearance,
            localization: props.localization,
          })
        }
      >
        {t("organizationSwitcher.createOrganization")}
      </Button>
    </div>
  );
}
