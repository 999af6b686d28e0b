// The prebuilt components as React components, the way Clerk's React package mounts clerk-js's:
// a <div>, `latchkey.mountX(div, props)` in an effect (again when the props change),
// `latchkey.unmountX(div)` on cleanup. Nothing is rendered on the server nor in the first client
// render (so hydration never mismatches); the component itself renders in the div's shadow root.
import type {
  CreateOrganizationProps,
  Latchkey,
  OrganizationProfileProps,
  OrganizationSwitcherProps,
  SignInProps,
  SignUpProps,
  UserButtonProps,
  UserProfileProps,
} from "@latchkey/js";
import { type ReactNode, useEffect, useState } from "react";
import { useLatchkey } from "./context";

type Mount<P> = (latchkey: Latchkey, el: HTMLDivElement, props: P) => void;
type Unmount = (latchkey: Latchkey, el: HTMLDivElement) => void;

/** Props as a key: the component is mounted again only when one of them changed. */
const propsKey = (props: object): string =>
  JSON.stringify(props, (_, value: unknown) =>
    typeof value === "function" ? String(value) : value,
  );

function useMounted<P extends object>(name: string, props: P, mount: Mount<P>, unmount: Unmount) {
  const latchkey = useLatchkey();
  const [el, setEl] = useState<HTMLDivElement | null>(null);
  const [client, setClient] = useState(false);
  useEffect(() => setClient(true), []);
  const key = propsKey(props);
  useEffect(() => {
    if (el) mount(latchkey, el, props);
  }, [latchkey, el, key]);
  useEffect(() => {
    if (!el) return;
    return () => unmount(latchkey, el);
  }, [latchkey, el]);
  return client ? <div ref={setEl} data-latchkey-component={name} /> : null;
}

function prebuilt<P extends object>(name: string, mount: Mount<P>, unmount: Unmount) {
  const Component = (props: P): ReactNode => useMounted(name, props, mount, unmount);
  Component.displayName = name;
  return Component;
}

/** The sign-in form (identifier, factors, second factor, password reset): `latchkey.mountSignIn`. */
export const SignIn = prebuilt<SignInProps>(
  "SignIn",
  (l, el, p) => l.mountSignIn(el, p),
  (l, el) => l.unmountSignIn(el),
);

/** The sign-up form (the instance's fields, the mailed code): `latchkey.mountSignUp`. */
export const SignUp = prebuilt<SignUpProps>(
  "SignUp",
  (l, el, p) => l.mountSignUp(el, p),
  (l, el) => l.unmountSignUp(el),
);

/** The signed-in user's avatar and menu (manage account, sign out): `latchkey.mountUserButton`. */
export const UserButton = prebuilt<UserButtonProps>(
  "UserButton",
  (l, el, p) => l.mountUserButton(el, p),
  (l, el) => l.unmountUserButton(el),
);

/** The signed-in user's account (names, addresses, password, TOTP, sessions): `mountUserProfile`. */
export const UserProfile = prebuilt<UserProfileProps>(
  "UserProfile",
  (l, el, p) => l.mountUserProfile(el, p),
  (l, el) => l.unmountUserProfile(el),
);

/** Lists and switches the active organization: `latchkey.mountOrganizationSwitcher`. */
export const OrganizationSwitcher = prebuilt<OrganizationSwitcherProps>(
  "OrganizationSwitcher",
  (l, el, p) => l.mountOrganizationSwitcher(el, p),
  (l, el) => l.unmountOrganizationSwitcher(el),
);

/** The active organization (members, roles, invitations, leave): `mountOrganizationProfile`. */
export const OrganizationProfile = prebuilt<OrganizationProfileProps>(
  "OrganizationProfile",
  (l, el, p) => l.mountOrganizationProfile(el, p),
  (l, el) => l.unmountOrganizationProfile(el),
);

/** The form that creates an organization: `latchkey.mountCreateOrganization`. */
export const CreateOrganization = prebuilt<CreateOrganizationProps>(
  "CreateOrganization",
  (l, el, p) => l.mountCreateOrganization(el, p),
  (l, el) => l.unmountCreateOrganization(el),
);
