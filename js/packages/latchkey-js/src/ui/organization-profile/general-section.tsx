/** @jsxImportSource preact */
// The organization's name and slug: a form for those who may change them, text for the others.
import { useEffect, useState } from "preact/hooks";
import { useUniqueId } from "../unique-id";
import type { OrganizationResource } from "../../resources/organization";
import { isValidSlug } from "../create-organization/slug";
import { useUi } from "../context";
import { Button, ErrorBanner, Field, Form, SuccessBanner } from "../primitives";
import { useOrganizationAction } from "./org-action";

/** The profile section: name and slug, editable with `org:sys_profile:manage`. */
export function GeneralSection(props: { organization: OrganizationResource; canManage: boolean }) {
  const { t, latchkey } = useUi();
  const { organization } = props;
  const [name, setName] = useState(organization.name);
  const [slug, setSlug] = useState(organization.slug);
  const [saved, setSaved] = useState(false);
  const titleId = useUniqueId();
  const [slugError, setSlugError] = useState<string | undefined>(undefined);
  const action = useOrganizationAction(["name", "slug"]);
  useEffect(() => {
    setName(organization.name);
    setSlug(organization.slug);
  }, [organization.id, organization.name, organization.slug]);
  const submit = () => {
    setSaved(false);
    if (!isValidSlug(slug.trim())) {
      setSlugError(t("createOrganization.slugInvalid"));
      return;
    }
    setSlugError(undefined);
    void action
      .run(async () => {
        await organization.update({ name: name.trim(), slug: slug.trim() });
        // The token's `o` claim carries the slug: the next one names the new one.
        if (latchkey.organization?.id === organization.id)
          await latchkey.session?.getToken({ skipCache: true });
        return true;
      })
      .then((ok) => setSaved(ok === true));
  };
  return (
    <section class="lk-org-section" part="organizationProfileGeneral" aria-labelledby={titleId}>
      <h2 class="lk-org-section-title" id={titleId}>
        {t("organizationProfile.profileTitle")}
      </h2>
      {!props.canManage && <p class="lk-org-note">{t("organizationProfile.readOnlyProfile")}</p>}
      <Form onSubmit={submit} label={t("organizationProfile.profileTitle")}>
        {saved && <SuccessBanner>{t("organizationProfile.profileSaved")}</SuccessBanner>}
        <ErrorBanner error={action.formError} />
        <div class="lk-org-inline">
          <Field
            label={t("organizationProfile.nameLabel")}
            name="name"
            autocomplete="organization"
            value={name}
            onValue={setName}
            error={action.fieldError("name")}
            disabled={!props.canManage}
            maxLength={256}
          />
          <Field
            label={t("organizationProfile.slugLabel")}
            name="slug"
            autocomplete="off"
            value={slug}
            onValue={setSlug}
            error={slugError ?? action.fieldError("slug")}
            disabled={!props.canManage}
            maxLength={64}
          />
        </div>
        {props.canManage && (
          <Button busy={action.busy} part="organizationProfileSave">
            {t("organizationProfile.saveProfile")}
          </Button>
        )}
      </Form>
    </section>
  );
}
