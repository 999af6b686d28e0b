/** @jsxImportSource preact */
// Invites an email address into the organization with a role (the server mails it).
import { useState } from "preact/hooks";
import type { OrganizationResource, RoleData } from "../../resources/organization";
import { useUi } from "../context";
import { Button, ErrorBanner, Field, Form, SuccessBanner } from "../primitives";
import { useOrganizationAction } from "./org-action";
import { roleName } from "./permissions";
import { SelectField } from "./select-field";

/** The role an invitation gets unless another is chosen. */
export const DEFAULT_ROLE = "org:member";

/**
 * The invitation form: email address and role; `onSent` after the server accepted it (the
 * list of invitations reads again). `redirectUrl` is the page the mail links to.
 */
export function InviteForm(props: {
  organization: OrganizationResource;
  roles: RoleData[];
  redirectUrl?: string;
  onSent: () => void;
  focusFirst?: boolean;
}) {
  const { t } = useUi();
  const [emailAddress, setEmailAddress] = useState("");
  const [role, setRole] = useState(DEFAULT_ROLE);
  const [sent, setSent] = useState<string | null>(null);
  const action = useOrganizationAction(["emailAddress"]);
  const roles = props.roles.length > 0 ? props.roles : [{ key: DEFAULT_ROLE, name: "" }];
  const submit = () =>
    void action
      .run(() =>
        props.organization.inviteMember({
          emailAddress: emailAddress.trim(),
          role,
          // Relative to this page, or absolute.
          redirectUrl: props.redirectUrl && new URL(props.redirectUrl, location.href).href,
        }),
      )
      .then((invitation) => {
        if (!invitation) return;
        setSent(invitation.emailAddress);
        setEmailAddress("");
        props.onSent();
      });
  return (
    <Form
      onSubmit={submit}
      label={t("organizationProfile.inviteTitle")}
      focusFirst={props.focusFirst}
      part="organizationInviteForm"
    >
      {sent && (
        <SuccessBanner>
          {t("organizationProfile.invitationSent", { emailAddress: sent })}
        </SuccessBanner>
      )}
      <ErrorBanner error={action.formError} />
      <div class="lk-org-inline">
        <Field
          label={t("organizationProfile.inviteEmailLabel")}
          name="emailAddress"
          type="email"
          autocomplete="off"
          inputMode="email"
          value={emailAddress}
          onValue={setEmailAddress}
          error={action.fieldError("emailAddress")}
          required
        />
        <SelectField
          label={t("organizationProfile.inviteRoleLabel")}
          name="role"
          value={role}
          onValue={setRole}
          options={roles.map((r) => ({ value: r.key, label: roleName(r.key, props.roles) }))}
        />
      </div>
      <Button busy={action.busy} part="organizationInviteSubmit">
        {t("organizationProfile.inviteSubmit")}
      </Button>
    </Form>
  );
}
