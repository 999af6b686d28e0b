/** @jsxImportSource preact */
// <UserButton/>: the signed-in user's avatar, opening a menu: who is signed in, "Manage account"
// (UserProfile in a modal, or `userProfileUrl`), "Sign out"; with multi-session, the client's
// other accounts to switch to and "Add account".
import type { UserButtonProps } from "../props";
import { useUi } from "../context";
import { Avatar, Menu, type MenuItem } from "../primitives";
import { useUserStyles } from "../user-profile/styles";
import { goToPropUrl as go } from "../redirect";
import { avatarName, displayName, otherSessions } from "./menu-logic";

/** The account button of the signed-in user; renders nothing while loading or signed out. */
export function UserButton(props: UserButtonProps) {
  const { t, snapshot, environment, latchkey, open } = useUi();
  const ref = useUserStyles<HTMLDivElement>();
  const user = snapshot.user;
  const session = snapshot.session;
  if (!user || !session) return <div ref={ref} />;
  const name = displayName(user);
  const email = user.primaryEmailAddress?.emailAddress;
  const multi = environment?.multiSession === true;
  const others = multi ? otherSessions(snapshot.client?.sessions ?? [], session.id) : [];

  const afterSignOut = () => {
    if (props.afterSignOutUrl) go(props.afterSignOutUrl);
  };
  const signOut = async () => {
    if (others.length > 0) {
      // One account of several: sign out of this one and go on with the next.
      await latchkey.signOut({ sessionId: session.id });
      const next = others[0];
      if (next) await latchkey.setActive({ session: next.id });
      return;
    }
    await latchkey.signOut();
    afterSignOut();
  };
  const items: MenuItem[] = [
    {
      label: t("userButton.manageAccount"),
      part: "userButtonManageAccount",
      onSelect: () =>
        props.userProfileUrl && props.userProfileMode !== "modal"
          ? go(props.userProfileUrl)
          : open("UserProfile", {
              ...props.userProfileProps,
              appearance: props.userProfileProps?.appearance ?? props.appearance,
              localization: props.userProfileProps?.localization ?? props.localization,
              afterSignOutUrl: props.userProfileProps?.afterSignOutUrl ?? props.afterSignOutUrl,
            }),
    },
    ...others.map((other) => {
      const otherName = other.user ? displayName(other.user) : other.id;
      const initialsOf = other.user ? avatarName(other.user) : "?";
      return {
        label: t("userButton.switchTo", { name: otherName }),
        part: "userButtonSwitchAccount",
        icon: <Avatar name={initialsOf} imageUrl={other.user?.imageUrl} />,
        onSelect: () => void latchkey.setActive({ session: other.id }),
      };
    }),
    ...(multi
      ? [
          {
            label: t("userButton.addAccount"),
            part: "userButtonAddAccount",
            onSelect: () =>
              props.signInUrl
                ? go(props.signInUrl)
                : open("SignIn", { signUpUrl: props.signUpUrl }),
          },
        ]
      : []),
    {
      label: others.length > 0 ? t("userButton.signOutOf", { name }) : t("userButton.signOut"),
      part: "userButtonSignOut",
      onSelect: () => void signOut(),
    },
    ...(others.length > 0
      ? [
          {
            label: t("userButton.signOutAll"),
            part: "userButtonSignOutAll",
            onSelect: () => void latchkey.signOut().then(afterSignOut),
          },
        ]
      : []),
  ];
  return (
    <div ref={ref} class="lk-user-button" part="userButtonRoot">
      <Menu
        // The button is named by its hidden text, not aria-label: the initials it shows are
        // not part of the name, and a label would not contain them (WCAG 2.5.3).
        label=""
        part="userButton"
        button={
          <>
            <span class="lk-visually-hidden">{t("userButton.triggerLabel", { name })}</span>
            <Avatar name={avatarName(user)} imageUrl={user.imageUrl} part="userButtonAvatar" />
            {props.showName && <span class="lk-user-button-name">{name}</span>}
          </>
        }
        header={
          <div class="lk-menu-user" part="userButtonUser">
            <Avatar name={avatarName(user)} imageUrl={user.imageUrl} size="large" />
            <div class="lk-menu-user-text">
              <span class="lk-item-title">{name}</span>
              {email && email !== name && <span class="lk-menu-user-email">{email}</span>}
            </div>
          </div>
        }
        items={items}
      />
    </div>
  );
}
