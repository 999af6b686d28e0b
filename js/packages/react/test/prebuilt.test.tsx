import type { ReactNode } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import {
  CreateOrganization,
  LatchkeyProvider,
  OrganizationProfile,
  OrganizationSwitcher,
  SignIn,
  SignUp,
  UserButton,
  UserProfile,
} from "../src";

const render = (node: ReactNode) =>
  renderToString(
    <LatchkeyProvider publishableKey="pk_test_x" apiUrl="http://127.0.0.1:8080">
      <main>{node}</main>
    </LatchkeyProvider>,
  );

describe("prebuilt components on the server", () => {
  it("render nothing (the browser mounts them after hydration)", () => {
    const all = [
      <SignIn key="1" signUpUrl="/sign-up" appearance={{ variables: { colorPrimary: "red" } }} />,
      <SignUp key="2" signInUrl="/sign-in" />,
      <UserButton key="3" showName />,
      <UserProfile key="4" />,
      <OrganizationSwitcher key="5" hidePersonal />,
      <OrganizationProfile key="6" />,
      <CreateOrganization key="7" />,
    ];
    for (const node of all) expect(render(node)).toBe("<main></main>");
    expect(render(all)).toBe("<main></main>");
  });

  it("are named for React's devtools and errors", () => {
    expect(
      [
        SignIn,
        SignUp,
        UserButton,
        UserProfile,
        OrganizationSwitcher,
        OrganizationProfile,
        CreateOrganization,
      ].map((c) => c.displayName),
    ).toEqual([
      "SignIn",
      "SignUp",
      "UserButton",
      "UserProfile",
      "OrganizationSwitcher",
      "OrganizationProfile",
      "CreateOrganization",
    ]);
  });
});
