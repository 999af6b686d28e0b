import type { AuthState } from "@latchkey/js";
import { describe, expect, it } from "vitest";
import { checkAuthorization, isKnown } from "../src/auth";
import { pageCountOf, visibleItems } from "../src/paginated";

const admin: AuthState = {
  sessionId: "sess_1",
  userId: "user_1",
  orgId: "org_1",
  orgRole: "org:admin",
  orgSlug: "acme",
  orgPermissions: ["org:sys_memberships:manage", "org:invoices:read"],
};

describe("has()", () => {
  it("checks the role and the permissions of the active organization", () => {
    expect(checkAuthorization(admin, { role: "org:admin" })).toBe(true);
    expect(checkAuthorization(admin, { role: "org:member" })).toBe(false);
    expect(checkAuthorization(admin, { permission: "org:invoices:read" })).toBe(true);
    expect(checkAuthorization(admin, { permission: "org:invoices:write" })).toBe(false);
  });

  it("is false with no active organization, and while loading", () => {
    expect(checkAuthorization({ ...admin, orgId: null }, { role: "org:admin" })).toBe(false);
    const loading: AuthState = { ...admin, sessionId: undefined, orgId: undefined };
    expect(checkAuthorization(loading, { role: "org:admin" })).toBe(false);
    expect(isKnown(loading)).toBe(false);
    expect(isKnown({ ...admin, sessionId: null })).toBe(true);
  });
});

describe("pages", () => {
  const pages = new Map([
    [1, ["a", "b"]],
    [2, ["c", "d"]],
    [3, ["e"]],
  ]);

  it("shows one page, or every page so far when infinite", () => {
    expect(visibleItems(pages, 2, false)).toEqual(["c", "d"]);
    expect(visibleItems(pages, 3, true)).toEqual(["a", "b", "c", "d", "e"]);
    expect(visibleItems(pages, 4, false)).toEqual([]);
  });

  it("counts pages, at least one", () => {
    expect(pageCountOf(5, 2)).toBe(3);
    expect(pageCountOf(4, 2)).toBe(2);
    expect(pageCountOf(0, 10)).toBe(1);
  });
});
