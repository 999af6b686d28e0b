/** @jsxImportSource preact */
// <OrganizationProfile/>: the active organization's name and slug, its members and their roles,
// its invitations, and leaving it. Admins change things; other members see them (and a plain
// word on who may change them).
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { useUi } from "../context";
import { Card, ErrorBanner, Header, Spinner, SuccessBanner } from "../primitives";
import type { OrganizationProfileProps } from "../props";
import { redirectTo as goTo } from "../redirect";
import { GeneralSection } from "./general-section";
import { InvitationsSection } from "./invitations-section";
import { LeaveSection } from "./leave-section";
import { MembersSection } from "./members-section";
import { NoOrganization } from "./no-organization";
import { abilitiesOf } from "./permissions";
import { useOrganizationStyles } from "./styles";
import { useProfileData } from "./use-profile-data";

/** `<OrganizationProfile/>`. */
export function OrganizationProfile(props: OrganizationProfileProps) {
  const { t, latchkey, snapshot, environment } = useUi();
  const ref = useRef<HTMLDivElement>(null);
  useOrganizationStyles(ref);
  const [left, setLeft] = useState<string | null>(null);
  const organization = snapshot.organization;
  const membership =
    snapshot.user?.organizationMemberships.find((m) => m.organization.id === organization?.id) ??
    null;
  const can = abilitiesOf(membership);
  // Another organization made active after leaving one: show it, not the farewell.
  useEffect(() => {
    if (organization) setLeft(null);
  }, [organization?.id]);
  const { data, error, reload } = useProfileData(organization, can.readMembers, t);

  const card = (content: ComponentChildren, title = t("organizationProfile.title")) => (
    <div ref={ref}>
      <Card wide part="organizationProfile">
        <Header
          title={title}
          subtitle={organization ? t("organizationProfile.title") : undefined}
        />
        {content}
      </Card>
    </div>
  );
  if (left)
    return card(
      <>
        <SuccessBanner>{t("organizationProfile.left", { organization: left })}</SuccessBanner>
        {snapshot.user && <NoOrganization />}
      </>,
    );
  if (environment && !environment.organizationsEnabled)
    return card(<p class="lk-org-note">{t("createOrganization.disabled")}</p>);
  if (!organization || !membership) return card(snapshot.user ? <NoOrganization /> : null);

  const onLeft = () => {
    if (props.afterLeaveOrganizationUrl) void goTo(latchkey, props.afterLeaveOrganizationUrl);
    else setLeft(organization.name);
  };
  return card(
    <>
      <GeneralSection organization={organization} canManage={can.manageProfile} />
      {error && <ErrorBanner error={error} />}
      {can.readMembers && !data && !error && <Spinner />}
      {data && (
        <>
          <MembersSection
            organization={organization}
            members={data.members}
            totalMembers={data.totalMembers}
            roles={data.roles}
            canManage={can.manageMembers}
            onChanged={reload}
          />
          <InvitationsSection
            organization={organization}
            invitations={data.invitations}
            roles={data.roles}
            canManage={can.manageMembers}
            redirectUrl={props.invitationRedirectUrl}
            onChanged={reload}
          />
        </>
      )}
      <LeaveSection organization={organization} onLeft={onLeft} />
    </>,
    organization.name,
  );
}
