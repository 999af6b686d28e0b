/** @jsxImportSource preact */
// <UserProfile/>: the signed-in user's account, one section after another (profile, email
// addresses, password, two-step verification, active devices, delete account).
import type { UserProfileProps } from "../props";
import { useUi } from "../context";
import { Card, Header, Spinner } from "../primitives";
import { DeleteSection } from "./delete-section";
import { DevicesSection } from "./devices-section";
import { EmailSection } from "./email-section";
import { PasswordSection } from "./password-section";
import { ProfileSection } from "./profile-section";
import { useUserStyles } from "./styles";
import { TwoFactorSection } from "./two-factor-section";

/** The account page of the signed-in user (mounted, in a modal, or the portal's `/user`). */
export function UserProfile(_props: UserProfileProps) {
  const { t, snapshot, environment } = useUi();
  const ref = useUserStyles<HTMLDivElement>();
  const user = snapshot.user;
  const secondFactors = environment?.secondFactors ?? [];
  return (
    <div ref={ref} class="lk-user-profile" part="userProfileRoot">
      <Card wide part="userProfile">
        <Header title={t("userProfile.title")} subtitle={t("userProfile.subtitle")} logo={false} />
        {user === undefined ? (
          <Spinner />
        ) : user === null ? (
          <p class="lk-section-text" role="status">
            {t("userProfile.signedOut")}
          </p>
        ) : (
          <div class="lk-profile" part="userProfileSections">
            <ProfileSection user={user} />
            <EmailSection user={user} />
            <PasswordSection user={user} />
            {(secondFactors.length > 0 || user.totpEnabled) && <TwoFactorSection user={user} />}
            <DevicesSection user={user} />
            {environment?.deleteSelfEnabled && <DeleteSection user={user} />}
          </div>
        )}
      </Card>
    </div>
  );
}
