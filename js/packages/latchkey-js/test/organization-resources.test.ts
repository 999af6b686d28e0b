// The organization actions the prebuilt components use: each sends its operation with the right
// variables in the user's scope, and the ones that change the user's memberships read them again
// so the snapshot follows.
import { describe, expect, it } from "vitest";
import { Latchkey } from "../src/latchkey";
import type { KeyValueStorage } from "../src/storage";
import { createCoordinator } from "../src/tokens/cross-tab";
import { account, clientData, fakeFetch, type Recorded, tokenAnswer } from "./fake-server";
import { ManualClock } from "./fakes";

const storage = (): KeyValueStorage => {
  const map = new Map<string, string>();
  return {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
};

const invitation = {
  id: "orginv_1",
  organizationId: "org_1",
  emailAddress: "bob@example.com",
  role: "org:member",
  status: "PENDING",
  expiresAt: "2026-02-01T00:00:00Z",
  createdAt: "2026-01-01T00:00:00Z",
  updatedAt: "2026-01-01T00:00:00Z",
};
const membership = account.organizationMemberships[0]!;

/** A signed-in Latchkey whose server answers `extra(operation)` for the organization operations. */
async function signedIn(extra: (operation: string, request: Recorded) => unknown) {
  let me: typeof account = account;
  const server = fakeFetch((operation, request) => {
    if (operation === "Client") return { body: { data: { client: clientData(true) } } };
    if (operation.includes("/tokens")) return tokenAnswer();
    if (operation === "Me") return { body: { data: { me } } };
    const data = extra(operation, request);
    if (data === undefined)
      return {
        status: 403,
        body: { errors: [{ message: "no", extensions: { code: "FORBIDDEN" } }] },
      };
    return { body: { data } };
  });
  const latchkey = new Latchkey("pk_test_abc", {
    apiUrl: "http://127.0.0.1:8080",
    fetch: server.fetch,
    storage: storage(),
    clock: new ManualClock(Date.now()),
    coordinator: createCoordinator("pk", undefined, undefined),
    liveUpdates: false,
  });
  await latchkey.load();
  return {
    latchkey,
    server,
    setMe: (next: typeof account) => (me = next),
    variables: (operation: string) =>
      (server.requests.find((r) => r.operation === operation)?.body as { variables: unknown })
        ?.variables,
    bearer: (operation: string) =>
      server.requests.find((r) => r.operation === operation)?.headers["Authorization"],
  };
}

describe("organization resources", () => {
  it("update sends the name and slug, then reads the user's memberships again", async () => {
    const renamed = { ...membership.organization, name: "Acme Two", slug: "acme-two" };
    const t = await signedIn((op) =>
      op === "UpdateOrganization" ? { updateOrganization: renamed } : undefined,
    );
    t.setMe({
      ...account,
      organizationMemberships: [{ ...membership, organization: renamed }],
    });
    const result = await t.latchkey.organization!.update({ name: "Acme Two", slug: "acme-two" });
    expect(result.slug).toBe("acme-two");
    expect(t.variables("UpdateOrganization")).toEqual({
      id: "org_1",
      input: { name: "Acme Two", slug: "acme-two" },
    });
    expect(t.bearer("UpdateOrganization")).toMatch(/^Bearer /);
    expect(t.latchkey.organization?.name).toBe("Acme Two");
    expect(t.latchkey.getSnapshot().auth.orgSlug).toBe("acme-two");
  });

  it("invites with a role and a redirect URL, lists pending invitations, and revokes one", async () => {
    const t = await signedIn((op) => {
      if (op === "CreateOrganizationInvitation")
        return { createOrganizationInvitation: invitation };
      if (op === "OrganizationInvitations") return { organizationInvitations: [invitation] };
      if (op === "RevokeOrganizationInvitation")
        return { revokeOrganizationInvitation: { ...invitation, status: "REVOKED" } };
      return undefined;
    });
    const org = t.latchkey.organization!;
    const sent = await org.inviteMember({
      emailAddress: "bob@example.com",
      role: "org:member",
      redirectUrl: "http://localhost:3000/join",
    });
    expect(t.variables("CreateOrganizationInvitation")).toEqual({
      organizationId: "org_1",
      emailAddress: "bob@example.com",
      role: "org:member",
      redirectUrl: "http://localhost:3000/join",
    });
    expect(sent.expiresAt).toEqual(new Date("2026-02-01T00:00:00Z"));
    const pending = await org.getInvitations({ status: "PENDING" });
    expect(t.variables("OrganizationInvitations")).toEqual({
      organizationId: "org_1",
      status: "PENDING",
      limit: 50,
    });
    expect(pending.map((i) => i.emailAddress)).toEqual(["bob@example.com"]);
    const revoked = await pending[0]!.revoke();
    expect(revoked.status).toBe("REVOKED");
    expect(t.variables("RevokeOrganizationInvitation")).toEqual({
      organizationId: "org_1",
      invitationId: "orginv_1",
    });
  });

  it("changes a member's role and removes a member, reading the account and client again", async () => {
    const t = await signedIn((op) => {
      if (op === "UpdateOrganizationMembership")
        return { updateOrganizationMembership: { ...membership, userId: "user_2" } };
      if (op === "DeleteOrganizationMembership")
        return { deleteOrganizationMembership: { ...membership, userId: "user_2" } };
      return undefined;
    });
    const org = t.latchkey.organization!;
    const meReads = () => t.server.requests.filter((r) => r.operation === "Me").length;
    const clientReads = () => t.server.requests.filter((r) => r.operation === "Client").length;
    const [me0, client0] = [meReads(), clientReads()];
    await org.updateMember({ userId: "user_2", role: "org:admin" });
    expect(t.variables("UpdateOrganizationMembership")).toEqual({
      organizationId: "org_1",
      userId: "user_2",
      role: "org:admin",
    });
    expect(meReads()).toBe(me0 + 1);
    await org.removeMember("user_2");
    expect(t.variables("DeleteOrganizationMembership")).toEqual({
      organizationId: "org_1",
      userId: "user_2",
    });
    expect(meReads()).toBeGreaterThanOrEqual(me0 + 2);
    expect(clientReads()).toBeGreaterThan(client0);
  });

  it("the user leaves: their own membership is deleted and the organization is gone from the snapshot", async () => {
    const t = await signedIn((op) =>
      op === "DeleteOrganizationMembership"
        ? { deleteOrganizationMembership: membership }
        : undefined,
    );
    t.setMe({ ...account, organizationMemberships: [] });
    await t.latchkey.user!.leaveOrganization("org_1");
    expect(t.variables("DeleteOrganizationMembership")).toEqual({
      organizationId: "org_1",
      userId: "user_1",
    });
    expect(t.latchkey.user?.organizationMemberships).toEqual([]);
    expect(t.latchkey.organization).toBeNull();
  });

  it("the invited user lists their invitations and accepts one, then holds the membership", async () => {
    const t = await signedIn((op) => {
      if (op === "MyOrganizationInvitations") return { myOrganizationInvitations: [invitation] };
      if (op === "AcceptOrganizationInvitation")
        return { acceptOrganizationInvitation: membership };
      return undefined;
    });
    t.setMe({ ...account, organizationMemberships: [] });
    await t.latchkey.user!.reload();
    expect(t.latchkey.user?.organizationMemberships).toHaveLength(0);
    const mine = await t.latchkey.user!.getOrganizationInvitations();
    expect(mine.map((i) => i.id)).toEqual(["orginv_1"]);
    t.setMe(account);
    const joined = await mine[0]!.accept();
    expect(joined.organization.slug).toBe("acme");
    expect(t.variables("AcceptOrganizationInvitation")).toEqual({ invitationId: "orginv_1" });
    expect(t.latchkey.user?.organizationMemberships.map((m) => m.organization.id)).toEqual([
      "org_1",
    ]);
  });

  it("reads the roles, and passes FORBIDDEN through as a LatchkeyError", async () => {
    const roles = [
      { key: "org:admin", name: "Admin", description: "", permissions: [] },
      { key: "org:member", name: "Member", description: "", permissions: [] },
    ];
    const t = await signedIn((op) => (op === "Roles" ? { roles } : undefined));
    expect(await t.latchkey.organization!.getRoles()).toEqual(roles);
    await expect(t.latchkey.organization!.update({ name: "x" })).rejects.toMatchObject({
      name: "LatchkeyError",
      code: "FORBIDDEN",
    });
  });
});
