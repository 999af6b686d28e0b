/** @jsxImportSource preact */
// Invitations: the form to invite (admins) and the pending ones, each revocable by admins.
import { useRef } from "preact/hooks";
import { useUniqueId } from "../unique-id";
import type {
  OrganizationInvitationResource,
  OrganizationResource,
  RoleData,
} from "../../resources/organization";
import { useUi } from "../context";
import { Button, ErrorBanner } from "../primitives";
import { InviteForm } from "./invite-form";
import { shortDate } from "./members-section";
import { useOrganizationAction } from "./org-action";
import { roleName } from "./permissions";

/** The invitations section; `onChanged` after an invitation was sent or revoked. */
export function InvitationsSection(props: {
  organization: OrganizationResource;
  invitations: OrganizationInvitationResource[];
  roles: RoleData[];
  canManage: boolean;
  redirectUrl?: string;
  onChanged: () => Promise<void>;
}) {
  const { t } = useUi();
  const titleId = useUniqueId();
  const listId = useUniqueId();
  const action = useOrganizationAction([]);
  const heading = useRef<HTMLHeadingElement>(null);
  const revoke = (invitation: OrganizationInvitationResource) =>
    void action.run(async () => {
      await invitation.revoke();
      await props.onChanged();
      // Its row (and the focused button) is gone: the focus stays in the section.
      heading.current?.focus();
    });
  return (
    <section class="lk-org-section" part="organizationProfileInvitations" aria-labelledby={titleId}>
      <h2 class="lk-org-section-title" id={titleId}>
        {t("organizationProfile.invitationsTitle")}
      </h2>
      {props.canManage && (
        <InviteForm
          organization={props.organization}
          roles={props.roles}
          redirectUrl={props.redirectUrl}
          onSent={() => void props.onChanged()}
        />
      )}
      <h3 class="lk-org-subtitle" id={listId} ref={heading} tabIndex={-1}>
        {t("organizationProfile.pendingTitle")}
      </h3>
      <ErrorBanner error={action.formError} />
      {props.invitations.length === 0 ? (
        <p class="lk-org-note">{t("organizationProfile.noInvitations")}</p>
      ) : (
        <div class="lk-org-scroll">
          <table class="lk-org-table" part="organizationInvitationsTable" aria-labelledby={listId}>
            <thead>
              <tr>
                <th scope="col">{t("organizationProfile.inviteEmailLabel")}</th>
                <th scope="col">{t("organizationProfile.roleColumn")}</th>
                <th scope="col">{t("organizationProfile.expiresColumn")}</th>
                {props.canManage && (
                  <th scope="col">
                    <span class="lk-visually-hidden">{t("organizationProfile.actionsColumn")}</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {props.invitations.map((invitation) => (
                <tr
                  key={invitation.id}
                  part="organizationInvitation"
                  data-invitation-id={invitation.id}
                >
                  <td class="lk-org-name">{invitation.emailAddress}</td>
                  <td>{roleName(invitation.role, props.roles)}</td>
                  <td>{shortDate(invitation.expiresAt)}</td>
                  {props.canManage && (
                    <td>
                      <Button
                        variant="secondary"
                        busy={action.busy}
                        aria-label={t("organizationProfile.revokeInvitationLabel", {
                          emailAddress: invitation.emailAddress,
                        })}
                        onClick={() => revoke(invitation)}
                      >
                        {t("organizationProfile.revokeInvitation")}
                      </Button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
