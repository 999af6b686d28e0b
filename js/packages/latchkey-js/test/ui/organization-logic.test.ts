// The organization components' logic apart from the markup: slugs as the server makes them,
// the switcher's content from a snapshot, and what a role allows.
import { describe, expect, it } from "vitest";
import { ClientResource } from "../../src/resources/client";
import { loadedSnapshot } from "../../src/state";
import {
  isValidSlug,
  slugFromName,
  withName,
  withSlug,
} from "../../src/ui/create-organization/slug";
import { LatchkeyError } from "../../src/errors";
import { translator } from "../../src/ui/localization/translate";
import { memberName } from "../../src/ui/organization-profile/data";
import { organizationError } from "../../src/ui/organization-profile/org-action";
import { abilitiesOf, roleName } from "../../src/ui/organization-profile/permissions";
import {
  organizationInitial,
  organizationUrl,
  switcherModel,
} from "../../src/ui/organization-switcher/model";
import { account, clientData } from "../fake-server";
import type { Core } from "../../src/core";

describe("slugs", () => {
  it("derive from the name as the server does", () => {
    // The server's own cases (domain/src/model/organization.rs).
    expect(slugFromName("  Acme, Inc. ")).toBe("acme-inc");
    expect(slugFromName("Été 2026!")).toBe("t-2026");
    expect(slugFromName("!!!")).toBe("");
    expect(isValidSlug(slugFromName("ab ".repeat(100)))).toBe(true);
    expect(slugFromName("ab ".repeat(100)).length).toBeLessThanOrEqual(64);
  });

  it("are checked as the server checks them", () => {
    for (const good of ["acme", "acme-inc", "a1-b2-c3", "x"]) expect(isValidSlug(good)).toBe(true);
    for (const bad of ["", "Acme", "-acme", "acme-", "ac--me", "ac me", "a".repeat(65)])
      expect(isValidSlug(bad)).toBe(false);
  });

  it("follow the name until edited, and again once emptied", () => {
    let state = { name: "", slug: "", edited: false };
    state = withName(state, "Acme Inc");
    expect(state.slug).toBe("acme-inc");
    state = withSlug(state, "acme");
    state = withName(state, "Acme Incorporated");
    expect(state).toEqual({ name: "Acme Incorporated", slug: "acme", edited: true });
    state = withSlug(state, "");
    expect(state).toEqual({
      name: "Acme Incorporated",
      slug: "acme-incorporated",
      edited: false,
    });
  });
});

// A core that is never called: the resources here are only read.
const core = {} as Core;

function snapshotWith(memberships: typeof account.organizationMemberships, active: string | null) {
  const data = clientData(true);
  const session = data.sessions[0]!;
  const client = new ClientResource(core, {
    ...data,
    sessions: [
      {
        ...session,
        lastActiveOrganizationId: active,
        user: { ...account, organizationMemberships: memberships },
      },
    ],
  } as never);
  return loadedSnapshot(client, "ready");
}

const acme = account.organizationMemberships[0]!;
const beta = {
  ...acme,
  id: "mem_2",
  organizationId: "org_2",
  role: "org:member",
  permissions: ["org:sys_memberships:read"],
  organization: { ...acme.organization, id: "org_2", name: "Beta", slug: "beta" },
};
const zeta = {
  ...beta,
  id: "mem_3",
  organizationId: "org_3",
  organization: { ...beta.organization, id: "org_3", name: "Zeta", slug: "zeta" },
};

describe("the switcher's model", () => {
  it("shows the active organization, then the personal account and the others by name", () => {
    const model = switcherModel(snapshotWith([zeta, acme, beta], "org_2"), "Personal account")!;
    expect(model.active).toMatchObject({ id: "org_2", name: "Beta", role: "org:member" });
    expect(model.activeMembership?.id).toBe("mem_2");
    expect(model.choices.map((c) => c.id)).toEqual([null, "org_1", "org_3"]);
    expect(model.choices[0]!.name).toBe("Personal account");
  });

  it("shows the personal account as active when no organization is", () => {
    const model = switcherModel(snapshotWith([beta, acme], null), "Personal account")!;
    expect(model.active).toBeNull();
    expect(model.choices.map((c) => c.name)).toEqual(["Acme", "Beta"]);
  });

  it("leaves the personal account out with hidePersonal", () => {
    const model = switcherModel(snapshotWith([acme, beta], "org_1"), "Personal", true)!;
    expect(model.choices.map((c) => c.id)).toEqual(["org_2"]);
  });

  it("is null while loading and when signed out", () => {
    expect(switcherModel({ loaded: false, user: undefined, organization: undefined }, "P")).toBe(
      null,
    );
    expect(switcherModel({ loaded: true, user: null, organization: null }, "P")).toBeNull();
  });

  it("gives an organization without an image its initial", () => {
    expect(organizationInitial("  élan")).toBe("É");
    expect(organizationInitial("")).toBe("?");
  });
});

describe("what a role allows", () => {
  it("admins manage the profile and members; members only read", () => {
    expect(
      abilitiesOf({
        permissions: [
          "org:sys_profile:manage",
          "org:sys_memberships:read",
          "org:sys_memberships:manage",
        ],
      }),
    ).toEqual({ manageProfile: true, manageMembers: true, readMembers: true });
    expect(abilitiesOf({ permissions: ["org:sys_memberships:read"] })).toEqual({
      manageProfile: false,
      manageMembers: false,
      readMembers: true,
    });
    expect(abilitiesOf(null)).toEqual({
      manageProfile: false,
      manageMembers: false,
      readMembers: false,
    });
  });

  it("names roles by the instance's names, else from their key", () => {
    expect(roleName("org:admin", [{ key: "org:admin", name: "Administrator" }])).toBe(
      "Administrator",
    );
    expect(roleName("org:billing_manager")).toBe("Billing manager");
  });

  it("names members by name, username, identifier, then id", () => {
    const data = {
      userId: "user_9",
      identifier: "a@b.c",
      username: null,
      firstName: null,
      lastName: null,
    };
    expect(memberName({ userId: "user_9", publicUserData: { ...data, firstName: "Ann" } })).toBe(
      "Ann",
    );
    expect(memberName({ userId: "user_9", publicUserData: { ...data, username: "ann" } })).toBe(
      "ann",
    );
    expect(memberName({ userId: "user_9", publicUserData: data })).toBe("a@b.c");
    expect(memberName({ userId: "user_9", publicUserData: null })).toBe("user_9");
  });
});

describe("organization errors", () => {
  const t = translator(undefined);

  it("say plainly that only admins may, for FORBIDDEN", () => {
    const error = organizationError(new LatchkeyError("FORBIDDEN", "missing permission"), t);
    expect(error).toMatchObject({ code: "FORBIDDEN", field: undefined });
    expect(error.message).toBe("Only admins of this organization can do that.");
    expect(
      organizationError(new LatchkeyError("FORBIDDEN", "x"), t, "createOrganization.forbidden")
        .message,
    ).toBe("Creating organizations is turned off for this application.");
  });

  it("explain the last admin's refusal, and keep the server's words and field otherwise", () => {
    const last = new LatchkeyError(
      "VALIDATION_FAILED",
      "an organization keeps at least one member with org:sys_memberships:manage",
    );
    expect(organizationError(last, t).message).toMatch(/at least one admin/);
    const slug = new LatchkeyError("IDENTIFIER_EXISTS", "slug taken", { field: "slug" });
    expect(organizationError(slug, t)).toMatchObject({
      field: "slug",
      message: "That is already taken.",
    });
  });

  it("localized texts win over English", () => {
    const fr = translator({ organizationProfile: { forbidden: "Réservé aux admins." } });
    expect(organizationError(new LatchkeyError("FORBIDDEN", "x"), fr).message).toBe(
      "Réservé aux admins.",
    );
  });
});

describe("the URL after creating or selecting", () => {
  it("fills :id and :slug", () => {
    expect(organizationUrl("/orgs/:slug/home?id=:id", { id: "org_1", slug: "acme" })).toBe(
      "/orgs/acme/home?id=org_1",
    );
    expect(organizationUrl(undefined, { id: "org_1", slug: "acme" })).toBeUndefined();
  });
});
