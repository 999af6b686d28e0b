/** @jsxImportSource preact */
// <CreateOrganization/>: a name and its slug (derived, editable); the organization is created,
// made active, then members may be invited (unless skipInvitationScreen), then the browser goes
// to afterCreateOrganizationUrl or the component says it is done.
import { useEffect, useRef, useState } from "preact/hooks";
import type { OrganizationResource, RoleData } from "../../resources/organization";
import { useUi } from "../context";
import { InviteForm } from "../organization-profile/invite-form";
import { useOrganizationAction } from "../organization-profile/org-action";
import { useOrganizationStyles } from "../organization-profile/styles";
import { organizationUrl } from "../organization-switcher/model";
import { Button, Card, ErrorBanner, Field, Form, Header, Link, SuccessBanner } from "../primitives";
import type { CreateOrganizationProps } from "../props";
import { redirectTo as goTo } from "../redirect";
import { useRoute } from "../routing";
import { isValidSlug, type SlugState, withName, withSlug } from "./slug";

/** `<CreateOrganization/>`. */
export function CreateOrganization(props: CreateOrganizationProps) {
  const { t, latchkey, snapshot, environment, close, mode } = useUi();
  const ref = useRef<HTMLDivElement>(null);
  useOrganizationStyles(ref);
  // Steps: "" (the form), "invite" (members of the new, active organization), "done".
  const [route, navigate] = useRoute();
  const [roles, setRoles] = useState<RoleData[]>([]);
  const organization = snapshot.organization;
  const step = route !== "" && organization ? route : "";

  useEffect(() => {
    if (step === "invite" && organization)
      void organization
        .getRoles()
        .then(setRoles)
        .catch(() => setRoles([]));
    // The step's buttons are gone once done: the focus goes to the title, not to the page.
    if (step === "done") ref.current?.querySelector<HTMLElement>("h1")?.focus();
  }, [step, organization?.id]);

  const finish = async (created: OrganizationResource) => {
    const url = organizationUrl(props.afterCreateOrganizationUrl, created);
    if (url) return goTo(latchkey, url);
    navigate("done");
  };

  let body;
  if (environment && !environment.organizationsEnabled) {
    body = <p class="lk-org-note">{t("createOrganization.disabled")}</p>;
  } else if (!snapshot.user) {
    body = <p class="lk-org-note">{t("organizationSwitcher.signedOut")}</p>;
  } else if (step === "invite" && organization) {
    return (
      <div ref={ref}>
        <Card part="createOrganization">
          <Header
            title={t("organizationProfile.inviteTitle")}
            subtitle={t("createOrganization.created", { name: organization.name })}
          />
          <InviteForm
            organization={organization}
            roles={roles}
            onSent={() => undefined}
            focusFirst
          />
          <div class="lk-footer" part="footer">
            <Link
              onClick={() => void finish(organization)}
              part="createOrganizationSkipInvitations"
            >
              {t("common.continue")}
            </Link>
          </div>
        </Card>
      </div>
    );
  } else if (step === "done" && organization) {
    body = (
      <>
        <SuccessBanner>
          {t("createOrganization.created", { name: organization.name })}
        </SuccessBanner>
        {mode === "modal" && (
          <Button variant="secondary" onClick={close}>
            {t("common.close")}
          </Button>
        )}
      </>
    );
  } else {
    body = (
      <CreateForm
        onCreated={async (created) => {
          if (props.skipInvitationScreen) return finish(created);
          navigate("invite");
        }}
      />
    );
  }
  return (
    <div ref={ref}>
      <Card part="createOrganization">
        <Header title={t("createOrganization.title")} subtitle={t("createOrganization.subtitle")} />
        {body}
      </Card>
    </div>
  );
}

/** The form: name and slug; creates the organization and makes it active. */
function CreateForm(props: { onCreated: (organization: OrganizationResource) => Promise<void> }) {
  const { t, latchkey, snapshot } = useUi();
  const [state, setState] = useState<SlugState>({ name: "", slug: "", edited: false });
  const [slugError, setSlugError] = useState<string | undefined>(undefined);
  const action = useOrganizationAction(["name", "slug"], "createOrganization.forbidden");
  useEffect(() => setSlugError(undefined), [state.slug]);
  const submit = () => {
    if (state.slug !== "" && !isValidSlug(state.slug)) {
      setSlugError(t("createOrganization.slugInvalid"));
      return;
    }
    void action.run(async () => {
      const organization = await snapshot.user!.createOrganization({
        name: state.name.trim(),
        slug: state.slug || undefined,
      });
      await latchkey.setActive({ organization: organization.id });
      await props.onCreated(organization);
    });
  };
  return (
    <Form onSubmit={submit} focusFirst part="createOrganizationForm">
      <ErrorBanner error={action.formError} />
      <Field
        label={t("createOrganization.nameLabel")}
        name="name"
        autocomplete="organization"
        value={state.name}
        onValue={(name) => setState((s) => withName(s, name))}
        error={action.fieldError("name")}
        maxLength={256}
        required
      />
      <Field
        label={t("createOrganization.slugLabel")}
        name="slug"
        autocomplete="off"
        value={state.slug}
        onValue={(slug) => setState((s) => withSlug(s, slug))}
        error={slugError ?? action.fieldError("slug")}
        hint={t("createOrganization.slugHint")}
        maxLength={64}
      />
      <Button busy={action.busy} part="createOrganizationSubmit">
        {t("createOrganization.submit")}
      </Button>
    </Form>
  );
}
