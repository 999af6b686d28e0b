// OrganizationSwitcher, OrganizationProfile and CreateOrganization mounted on a page of another
// site, against the real server and SMTP: an organization created with CreateOrganization (slug
// derived, hash routing to its invitation step) and made active; switched to the personal account
// and back with the switcher (the second time by keyboard only), the next session token's `o`
// claim following; from the profile in the switcher's modal, a second user (signed up with the
// mailed code) invited by email and another invitation revoked; the invitee follows the mailed
// link and joins from his switcher; a role changed both ways, the member's read-only view,
// leaving, a member removed by the admin, a rename (the token's slug follows), a taken slug and
// creation turned off (FORBIDDEN) shown where they belong. axe-core on each component and
// screenshots in light and dark.
import AxeBuilder from "@axe-core/playwright";
import { type Browser, expect, type Locator, type Page, test } from "@playwright/test";
import { backend, loadSdk, mailboxDir, mailedCode, screenshot } from "./fixtures";
import { decodedBody, messagesTo } from "./mailbox";
import { startOrganizationPage } from "./organization-page";

const PASSWORD = "a sturdy passphrase 42";
const WAIT = { timeout: 10_000 };
const unique = () => `${Date.now()}${Math.random().toString(36).slice(2, 6)}`;

/** The claims of a JWT (not verified: the server signed it; this reads what it says). */
const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()) as {
    o?: { id: string; slg: string; rol: string; per?: string };
  };

/** The `o` claim of the page's next session token. */
const organizationClaim = async (page: Page) =>
  claims((await page.evaluate(() => window.lk.session!.getToken()))!).o;

/** Serious and critical axe-core violations inside `selector` (shadow roots included). */
async function seriousViolations(page: Page, selector: string) {
  const results = await new AxeBuilder({ page }).include(selector).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

/** Screenshots in light and dark, with axe-core run in both (contrast differs). */
async function lookAt(page: Page, selector: string, name: string) {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await screenshot(page, `${name}-${scheme}`);
    expect(await seriousViolations(page, selector), `${name} in ${scheme}`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/** Signs up `email` through the page's SDK (`code` or the mailed one) and makes it active. */
async function signUp(page: Page, email: string, mailed: boolean): Promise<string> {
  await page.evaluate(
    async ([address, password]) => {
      const created = await window.retryLimited(() =>
        window.lk.client!.signUp.create({ emailAddress: address!, password: password! }),
      );
      await window.retryLimited(() => created.prepareEmailAddressVerification());
    },
    [email, PASSWORD],
  );
  const code = mailed ? await mailedCode(email) : "424242";
  return page.evaluate(async (code) => {
    const signUp = window.lk.client!.signUp;
    const done = await window.retryLimited(() => signUp.attemptEmailAddressVerification({ code }));
    await window.lk.setActive({ session: done.createdSessionId });
    return window.lk.user!.id;
  }, code);
}

/** A second browser (another person) on the page, its SDK loaded. */
async function otherBrowser(browser: Browser, url: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await loadSdk(page);
  return { context, page };
}

/** Opens the switcher's panel (its button is named after the active organization). */
async function openSwitcher(page: Page): Promise<Locator> {
  await page
    .locator("#switcher")
    .getByRole("button", { name: /^Switch organization/ })
    .click();
  const panel = page.locator("#switcher").getByRole("dialog");
  await expect(panel).toBeVisible(WAIT);
  return panel;
}

/** The instance settings the spec changes, to put back after. */
async function instanceSettings() {
  const answer = await backend(
    "{ instance { settings { allowedOrigins organizations { enabled usersCanCreate } } } }",
  );
  return answer.data.instance.settings as {
    allowedOrigins: string[];
    organizations: { enabled: boolean; usersCanCreate: boolean };
  };
}

async function updateSettings(input: Record<string, unknown>) {
  const answer = await backend(
    "mutation($input: InstanceSettingsInput!) { updateInstanceSettings(input: $input) { id } }",
    { input },
  );
  expect(answer.errors).toBeUndefined();
}

test("create, switch (the token's o claim follows), invite by mail, join, change a role, leave", async ({
  page,
  browser,
}) => {
  test.setTimeout(240_000);
  const host = await startOrganizationPage();
  const before = await instanceSettings();
  // Organizations on, users may create them, and the page's origin allowed (the invitation mail
  // links to it).
  await updateSettings({
    organizations: { enabled: true, usersCanCreate: true },
    allowedOrigins: [...before.allowedOrigins, host.origin],
  });
  const other = await otherBrowser(browser, host.url);
  try {
    // The second person signs up first (with the mailed code), so the invitation is theirs to accept.
    const bob = `bob.${unique()}@example.com`;
    const bobId = await signUp(other.page, bob, true);

    await page.goto(host.url);
    await loadSdk(page);
    await signUp(page, `ada.${unique()}+latchkey_test@example.com`, false);
    const joinUrl = `${host.url}join`;
    await page.evaluate((joinUrl) => {
      window.lk.mountOrganizationSwitcher(document.getElementById("switcher")!, {
        organizationProfileProps: { invitationRedirectUrl: joinUrl },
      });
      window.lk.mountCreateOrganization(document.getElementById("create")!, { routing: "hash" });
    }, joinUrl);

    // CreateOrganization: the slug follows the name.
    const create = page.locator("#create");
    const suffix = unique();
    const name = `Acme ${suffix}`;
    await create.getByLabel("Name").fill(name);
    await expect(create.getByLabel("Slug")).toHaveValue(`acme-${suffix}`);
    await lookAt(page, "#create", "components-create-organization");
    await create.getByRole("button", { name: "Create organization" }).click();
    // Then the invitation step; continue without inviting.
    await expect(create.getByRole("heading", { name: "Invite members" })).toBeVisible(WAIT);
    await expect(create.getByLabel("Email address")).toBeFocused();
    expect(new URL(page.url()).hash).toBe("#/invite");
    await screenshot(page, "components-create-organization-invite");
    await create.getByRole("button", { name: "Continue" }).click();
    await expect(create.getByRole("status").filter({ hasText: "is now active" })).toBeVisible(WAIT);
    const org = await page.evaluate(() => ({
      id: window.lk.organization?.id,
      slug: window.lk.organization?.slug,
      name: window.lk.organization?.name,
    }));
    expect(org).toMatchObject({ name, slug: `acme-${suffix}` });
    expect(await organizationClaim(page)).toMatchObject({
      id: org.id,
      slg: org.slug,
      rol: "admin",
    });
    await page.evaluate(() =>
      window.lk.unmountCreateOrganization(document.getElementById("create")!),
    );

    // OrganizationSwitcher: to the personal account (no `o` claim), then back.
    const switcher = page.locator("#switcher");
    await expect(
      switcher.getByRole("button", { name: `Switch organization, now ${name}` }),
    ).toBeVisible(WAIT);
    let panel = await openSwitcher(page);
    await lookAt(page, "#switcher", "components-organization-switcher");
    await panel.getByRole("button", { name: "Switch to Personal account" }).click();
    await expect.poll(() => page.evaluate(() => window.lk.organization?.id ?? null)).toBeNull();
    expect(await organizationClaim(page)).toBeUndefined();
    await expect(
      switcher.getByRole("button", { name: "Switch organization, now Personal account" }),
    ).toBeVisible(WAIT);
    // Back with the keyboard only: Enter opens the panel with the focus on its first choice,
    // Escape closes it, Enter again, then Enter on the organization.
    const trigger = switcher.getByRole("button", { name: /^Switch organization/ });
    await trigger.focus();
    await page.keyboard.press("Enter");
    await expect(switcher.getByRole("button", { name: `Switch to ${name}` })).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(switcher.getByRole("dialog")).toHaveCount(0);
    await expect(trigger).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(switcher.getByRole("button", { name: `Switch to ${name}` })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.evaluate(() => window.lk.organization?.id)).toBe(org.id);
    expect(await organizationClaim(page)).toMatchObject({
      id: org.id,
      slg: org.slug,
      rol: "admin",
    });

    // OrganizationProfile in a modal from "Manage organization": invite Bob and Carol, revoke Carol.
    panel = await openSwitcher(page);
    await panel.getByRole("button", { name: "Manage organization" }).click();
    const modal = page.locator("[data-latchkey-modal=OrganizationProfile]").getByRole("dialog");
    await expect(modal.getByRole("heading", { name })).toBeVisible(WAIT);
    const invite = async (address: string) => {
      await modal.getByLabel("Email address").fill(address);
      await modal.getByRole("button", { name: "Send invitation" }).click();
      await expect(
        modal.getByRole("status").filter({ hasText: `Invitation sent to ${address}` }),
      ).toBeVisible(WAIT);
      await expect(modal.getByRole("row").filter({ hasText: address })).toBeVisible(WAIT);
    };
    await invite(bob);
    const carol = `carol.${unique()}@example.com`;
    await invite(carol);
    // Tall enough for the whole profile (the modal scrolls in a smaller window).
    await page.setViewportSize({ width: 1280, height: 1400 });
    await lookAt(
      page,
      "[data-latchkey-modal=OrganizationProfile]",
      "components-organization-profile",
    );
    await page.setViewportSize({ width: 1280, height: 720 });
    await modal.getByRole("button", { name: `Revoke the invitation of ${carol}` }).click();
    await expect(modal.getByRole("row").filter({ hasText: carol })).toHaveCount(0, WAIT);
    const pending = await backend(
      "query($o: ID!) { organizationInvitations(organizationId: $o) { emailAddress status } }",
      { o: org.id },
    );
    expect(pending.data.organizationInvitations).toEqual(
      expect.arrayContaining([
        { emailAddress: bob, status: "PENDING" },
        { emailAddress: carol, status: "REVOKED" },
      ]),
    );
    await page.keyboard.press("Escape");
    await expect(modal).toHaveCount(0);

    // Bob's mail links to the page with the invitation's id; he joins from his switcher.
    let link: string | undefined;
    await expect
      .poll(() => {
        const mail = messagesTo(mailboxDir(), bob)
          .map(decodedBody)
          .find((m) => m.includes("__latchkey_invitation="));
        link = mail?.match(/https?:\/\/\S+__latchkey_invitation=orginv_\w+/)?.[0];
        return link;
      }, WAIT)
      .toBeTruthy();
    expect(link!.startsWith(joinUrl)).toBe(true);
    expect(messagesTo(mailboxDir(), bob).at(-1)).toContain(`You are invited to join ${name}`);
    const invitationId = link!.match(/__latchkey_invitation=(orginv_\w+)/)![1]!;
    await other.page.goto(link!);
    await loadSdk(other.page);
    await other.page.evaluate(() =>
      window.lk.mountOrganizationSwitcher(document.getElementById("switcher")!, {
        afterSelectOrganizationUrl: "/orgs/:slug",
      }),
    );
    const bobPanel = await openSwitcher(other.page);
    const offer = bobPanel.locator(`[data-invitation-id="${invitationId}"]`);
    await expect(offer).toContainText(bob, WAIT);
    await offer.getByRole("button", { name: "Join" }).click();
    await expect(bobPanel.getByRole("status").filter({ hasText: "You joined" })).toBeVisible(WAIT);
    await bobPanel.getByRole("button", { name: `Switch to ${name}` }).click();
    // afterSelectOrganizationUrl (relative, with `:slug`) is where the switch leads.
    // (redirectTo adds a one-time handoff code: the page is on another origin than the server.)
    await other.page.waitForURL(
      (url) =>
        url.href.startsWith(`${host.url}orgs/${org.slug}`) && url.pathname.endsWith(org.slug!),
      WAIT,
    );
    await loadSdk(other.page);
    await expect.poll(() => other.page.evaluate(() => window.lk.organization?.id)).toBe(org.id);
    expect(await organizationClaim(other.page)).toMatchObject({ id: org.id, rol: "member" });

    // Bob's profile: the members, and only words where an admin would have controls.
    await other.page.evaluate(() =>
      window.lk.mountOrganizationProfile(document.getElementById("profile")!, {}),
    );
    const bobProfile = other.page.locator("#profile");
    await expect(bobProfile.getByRole("row").filter({ hasText: bob })).toBeVisible(WAIT);
    await expect(
      bobProfile.getByText("Only admins can invite, remove or change the role of members."),
    ).toBeVisible();
    await expect(bobProfile.getByLabel("Name")).toBeDisabled();
    await expect(bobProfile.getByRole("button", { name: "Send invitation" })).toHaveCount(0);
    await other.page.emulateMedia({ colorScheme: "light" });
    await screenshot(other.page, "components-organization-profile-member");
    // On a phone's width too.
    await other.page.setViewportSize({ width: 390, height: 844 });
    await screenshot(other.page, "components-organization-profile-member-narrow");
    expect(await seriousViolations(other.page, "#profile")).toEqual([]);
    await other.page.setViewportSize({ width: 1280, height: 720 });

    // Ada makes Bob an admin from her profile (mounted on the page this time), then a member again.
    await page.evaluate(() =>
      window.lk.mountOrganizationProfile(document.getElementById("profile")!, {}),
    );
    const profile = page.locator("#profile");
    const bobRole = profile.getByRole("combobox", { name: `Role of ${bob}` });
    await expect(bobRole).toHaveValue("org:member", WAIT);
    const roleOfBob = async () =>
      (
        await backend(
          "query($o: ID!) { organizationMemberships(organizationId: $o) { data { userId role } } }",
          {
            o: org.id,
          },
        )
      ).data.organizationMemberships.data.find((m: { userId: string }) => m.userId === bobId)?.role;
    await bobRole.selectOption("org:admin");
    await expect.poll(roleOfBob, WAIT).toBe("org:admin");
    await bobRole.selectOption("org:member");
    await expect.poll(roleOfBob, WAIT).toBe("org:member");

    // Bob leaves: his token's `o` claim goes, and Ada's list reads one member.
    await bobProfile.getByRole("button", { name: "Leave organization" }).click();
    await expect(bobProfile.getByRole("button", { name: "Yes, leave" })).toBeFocused();
    await bobProfile.getByRole("button", { name: "Yes, leave" }).click();
    await expect(
      bobProfile.getByRole("status").filter({ hasText: `You left ${name}` }),
    ).toBeVisible(WAIT);
    expect(await other.page.evaluate(() => window.lk.organization ?? null)).toBeNull();
    await expect(
      bobProfile.getByText("You are not a member of any organization yet."),
    ).toBeVisible();
    await screenshot(other.page, "components-organization-profile-left");
    expect(await organizationClaim(other.page)).toBeUndefined();
    await expect.poll(roleOfBob, WAIT).toBeUndefined();

    // Ada invites Bob again from her profile; he accepts (through the SDK this time), and Ada
    // removes him (the profile mounted again reads the members anew).
    await profile.getByLabel("Email address").fill(bob);
    await profile.getByRole("button", { name: "Send invitation" }).click();
    await expect(
      profile.getByRole("status").filter({ hasText: `Invitation sent to ${bob}` }),
    ).toBeVisible(WAIT);
    await other.page.evaluate(async () => {
      const [invitation] = await window.lk.user!.getOrganizationInvitations();
      await invitation!.accept();
    });
    await expect.poll(roleOfBob, WAIT).toBe("org:member");
    await page.evaluate(() => {
      const el = document.getElementById("profile")!;
      window.lk.unmountOrganizationProfile(el);
      window.lk.mountOrganizationProfile(el, {});
    });
    await profile.getByRole("button", { name: `Remove ${bob}` }).click();
    await expect(
      profile.getByRole("button", { name: `Remove ${bob} from ${name}?` }),
    ).toBeFocused();
    await profile.getByRole("button", { name: `Remove ${bob} from ${name}?` }).click();
    await expect(profile.getByRole("row").filter({ hasText: bob })).toHaveCount(0, WAIT);
    await expect(profile.getByRole("heading", { name: "Members (1)" })).toBeFocused();
    await expect.poll(roleOfBob, WAIT).toBeUndefined();

    // Ada renames the organization: the switcher follows, and her next token has the new slug.
    await profile.getByLabel("Name").fill(`${name} Two`);
    await profile.getByLabel("Slug").fill(`${org.slug}-two`);
    await profile.getByRole("button", { name: "Save" }).click();
    await expect(profile.getByRole("status").filter({ hasText: "Saved." })).toBeVisible(WAIT);
    await expect(
      switcher.getByRole("button", { name: `Switch organization, now ${name} Two` }),
    ).toBeVisible(WAIT);
    expect(await organizationClaim(page)).toMatchObject({ id: org.id, slg: `${org.slug}-two` });
    await profile.getByLabel("Slug").fill("Not A Slug");
    await profile.getByRole("button", { name: "Save" }).click();
    await expect(profile.getByText("Use lowercase letters and digits")).toBeVisible();

    // A taken slug is said under the slug field.
    await page.evaluate(() =>
      window.lk.mountCreateOrganization(document.getElementById("create")!, {}),
    );
    await create.getByLabel("Name").fill("Another");
    await create.getByLabel("Slug").fill(`${org.slug}-two`);
    await create.getByRole("button", { name: "Create organization" }).click();
    await expect(create.getByLabel("Slug")).toHaveAttribute("aria-invalid", "true", WAIT);
    await expect(create.getByText("That is already taken.")).toBeVisible();

    // Where the instance lets no user create organizations, CreateOrganization says so plainly.
    await updateSettings({ organizations: { enabled: true, usersCanCreate: false } });
    await other.page.evaluate(() => {
      window.lk.unmountOrganizationProfile(document.getElementById("profile")!);
      window.lk.mountCreateOrganization(document.getElementById("create")!, {});
    });
    const bobCreate = other.page.locator("#create");
    await bobCreate.getByLabel("Name").fill("Not allowed");
    await bobCreate.getByRole("button", { name: "Create organization" }).click();
    await expect(bobCreate.getByRole("alert")).toHaveText(
      "Creating organizations is turned off for this application.",
      WAIT,
    );
    await screenshot(other.page, "components-create-organization-forbidden");
  } finally {
    await other.context.close();
    await updateSettings({
      organizations: before.organizations,
      allowedOrigins: before.allowedOrigins,
    });
    await host.stop();
  }
});
