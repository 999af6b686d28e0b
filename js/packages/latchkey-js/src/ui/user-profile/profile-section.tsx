/** @jsxImportSource preact */
// Profile: first and last name, and the picture's https URL (shown as the avatar).
import { useEffect, useState } from "preact/hooks";
import type { UserResource } from "../../resources/user";
import { useUi } from "../context";
import { Avatar, Button, ErrorBanner, Form, SuccessBanner } from "../primitives";
import { Field } from "../primitives";
import { useAction } from "../use-action";
import { avatarName, displayName } from "../user-button/menu-logic";
import { Section, useNotice } from "./section";
import { useReverification } from "./use-reverification";
import { isHttpsUrl } from "./validation";

/** The names and image URL of the signed-in user, saved with `updateMe`. */
export function ProfileSection(props: { user: UserResource }) {
  const { t } = useUi();
  const { user } = props;
  const [firstName, setFirstName] = useState(user.firstName ?? "");
  const [lastName, setLastName] = useState(user.lastName ?? "");
  const [imageUrl, setImageUrl] = useState(user.imageUrl ?? "");
  // The user changed elsewhere (another tab, the backend): show what the server has.
  useEffect(() => {
    setFirstName(user.firstName ?? "");
    setLastName(user.lastName ?? "");
    setImageUrl(user.imageUrl ?? "");
  }, [user.firstName, user.lastName, user.imageUrl]);
  const action = useAction(["firstName", "lastName", "imageUrl"]);
  const { guard, prompt } = useReverification();
  const [notice, setNotice] = useNotice();
  const save = () => {
    setNotice(undefined);
    const url = imageUrl.trim();
    if (url !== "" && !isHttpsUrl(url)) {
      action.setError({
        code: "VALIDATION_FAILED",
        field: "imageUrl",
        message: t("userProfile.imageUrlInvalid"),
        until: undefined,
      });
      return;
    }
    void action.run(async () => {
      const done = await guard(() =>
        user.update({
          firstName: firstName.trim() || null,
          lastName: lastName.trim() || null,
          imageUrl: url || null,
        }),
      );
      if (done) setNotice(t("userProfile.profileSaved"));
    });
  };
  return (
    <Section title={t("userProfile.profileTitle")} part="profileSectionProfile">
      <div class="lk-profile-head" part="profileHeader">
        <Avatar name={avatarName(user)} imageUrl={user.imageUrl} size="large" />
        <div class="lk-item-main">
          <span class="lk-item-title">{displayName(user)}</span>
          {user.primaryEmailAddress && user.fullName && (
            <span class="lk-item-detail">{user.primaryEmailAddress.emailAddress}</span>
          )}
        </div>
      </div>
      {prompt}
      {notice && <SuccessBanner>{notice}</SuccessBanner>}
      <ErrorBanner error={action.formError} />
      <Form onSubmit={save} label={t("userProfile.profileTitle")}>
        <div class="lk-row">
          <Field
            label={t("common.firstNameLabel")}
            name="firstName"
            autocomplete="given-name"
            value={firstName}
            onValue={setFirstName}
            error={action.fieldError("firstName")}
          />
          <Field
            label={t("common.lastNameLabel")}
            name="lastName"
            autocomplete="family-name"
            value={lastName}
            onValue={setLastName}
            error={action.fieldError("lastName")}
          />
        </div>
        <Field
          label={t("userProfile.imageUrlLabel")}
          name="imageUrl"
          type="url"
          autocomplete="photo"
          inputMode="url"
          value={imageUrl}
          onValue={setImageUrl}
          hint={t("userProfile.imageUrlHint")}
          error={action.fieldError("imageUrl")}
        />
        <div class="lk-inline-actions">
          <Button busy={action.busy}>{t("userProfile.saveProfile")}</Button>
        </div>
      </Form>
    </Section>
  );
}
