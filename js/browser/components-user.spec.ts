// UserButton and UserProfile mounted on a page of another site, against the real server and
// SMTP: the profile's name, an email address added and verified by the mailed code, TOTP enrolled
// from the QR code (decoded from what the page draws) with the backup codes shown, a session on
// another device revoked after the reverification prompt (password, then the authenticator),
// UserButton's menu ("Manage account" in a modal, sign-out); axe-core on both, screenshots in
// light and dark.
import AxeBuilder from "@axe-core/playwright";
import { type Browser, expect, type Page, test } from "@playwright/test";
import jsQR from "jsqr";
import { backend, loadSdk, mailedCode, screenshot, server } from "./fixtures";
import { totpCode, totpStep } from "./totp";
import { startUserPage } from "./user-page";

const PASSWORD = "a sturdy passphrase 42";
const WAIT = { timeout: 10_000 };

/** A fresh address whose codes are fixed (`424242`) and never mailed. */
const testAddress = (who: string) =>
  `${who}.${Date.now()}.${Math.random().toString(36).slice(2, 6)}+latchkey_test@example.com`;
/** A fresh address latchkey really mails. */
const realAddress = (who: string) =>
  `${who}.${Date.now()}.${Math.random().toString(36).slice(2, 6)}@example.com`;

/** Signs up `email` through the page's SDK and makes the session active; answers its id. */
async function signUp(page: Page, email: string): Promise<string> {
  return page.evaluate(
    async ([address, password]) => {
      const created = await window.retryLimited(() =>
        window.lk.client!.signUp.create({ emailAddress: address!, password: password! }),
      );
      const prepared = await window.retryLimited(() => created.prepareEmailAddressVerification());
      const done = await window.retryLimited(() =>
        prepared.attemptEmailAddressVerification({ code: "424242" }),
      );
      await window.lk.setActive({ session: done.createdSessionId });
      return window.lk.session!.id;
    },
    [email, PASSWORD],
  );
}

/** Signs `email` in with the password in a new browser context (another device); its page. */
async function signInElsewhere(browser: Browser, url: string, email: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await loadSdk(page);
  const sessionId = await page.evaluate(
    async ([address, password]) => {
      const signIn = await window.retryLimited(() =>
        window.lk.client!.signIn.create({ identifier: address!, password: password! }),
      );
      await window.lk.setActive({ session: signIn.createdSessionId });
      return window.lk.session!.id;
    },
    [email, PASSWORD],
  );
  return { context, page, sessionId };
}

/** Serious and critical axe-core violations inside `selector` (shadow roots included). */
async function seriousViolations(page: Page, selector: string) {
  const results = await new AxeBuilder({ page }).include(selector).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
}

/** The text the QR code on the page holds: the SVG drawn on a canvas, decoded by jsQR. */
async function decodeQr(page: Page): Promise<string | undefined> {
  const image = await page.locator('svg[part~="totpQrCode"]').evaluate(async (svg) => {
    const side = 400;
    const markup = new XMLSerializer().serializeToString(svg);
    const url = URL.createObjectURL(new Blob([markup], { type: "image/svg+xml" }));
    const img = new Image(side, side);
    await new Promise((done, fail) => {
      img.onload = done;
      img.onerror = fail;
      img.src = url;
    });
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = side;
    const context = canvas.getContext("2d")!;
    context.drawImage(img, 0, 0, side, side);
    return { side, data: [...context.getImageData(0, 0, side, side).data] };
  });
  return jsQR(Uint8ClampedArray.from(image.data), image.side, image.side)?.data;
}

/** A TOTP code of `secret` for a 30-second step after `notStep` (a code is good once). */
async function freshTotp(secret: string, notStep: number): Promise<{ code: string; step: number }> {
  while (totpStep() <= notStep) await new Promise((done) => setTimeout(done, 500));
  const step = totpStep();
  return { code: totpCode(secret, step), step };
}

async function setReverificationWindow(seconds: number) {
  const answer = await backend(
    "mutation($s: Int) { updateInstanceSettings(input: {sessions: {reverificationWindowSeconds: $s}}) { settings { sessions { reverificationWindowSeconds } } } }",
    { s: seconds },
  );
  expect(answer.errors).toBeUndefined();
}

test("UserProfile: name, an email address verified, TOTP from the QR code, a device revoked after reverifying", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  const app = await startUserPage();
  // Sessions verified more than 60 s ago (the shortest window) must verify again.
  await setReverificationWindow(60);
  let other: Awaited<ReturnType<typeof signInElsewhere>> | undefined;
  try {
    await page.goto(app.url);
    await loadSdk(page);
    const email = testAddress("profile");
    await signUp(page, email);
    other = await signInElsewhere(browser, app.url, email);
    await page.evaluate(() =>
      window.lk.mountUserProfile(document.getElementById("user-profile")!, {}),
    );
    const profile = page.locator("#user-profile");
    await expect(profile.getByRole("heading", { name: "Account", level: 1 })).toBeVisible(WAIT);

    // Profile: names; an image URL must be https.
    await profile.getByLabel("First name").fill("Ada");
    await profile.getByLabel("Last name").fill("Lovelace");
    await profile.getByLabel("Image URL").fill("http://example.com/ada.png");
    await profile.getByRole("button", { name: "Save profile" }).click();
    await expect(profile.getByText("Use an https address.")).toBeVisible(WAIT);
    await profile.getByLabel("Image URL").fill("https://images.example.com/ada.png");
    await profile.getByRole("button", { name: "Save profile" }).click();
    await expect(profile.getByText("Profile saved.")).toBeVisible(WAIT);
    expect(
      await page.evaluate(() => ({
        name: window.lk.user?.fullName,
        image: window.lk.user?.imageUrl,
      })),
    ).toEqual({ name: "Ada Lovelace", image: "https://images.example.com/ada.png" });

    // Email addresses: add one, verify it with the mailed code, make it primary.
    const second = realAddress("second");
    await profile.getByRole("button", { name: "Add email address" }).click();
    await profile.getByRole("textbox", { name: "Email address" }).fill(second);
    await profile.getByRole("button", { name: "Add", exact: true }).click();
    await expect(profile.getByText(`We sent a code to ${second}.`)).toBeVisible(WAIT);
    await profile.getByLabel("Verification code").fill(await mailedCode(second));
    await profile.getByRole("button", { name: "Verify", exact: true }).click();
    await expect(profile.getByText(`${second} is verified.`)).toBeVisible(WAIT);
    await profile.getByRole("button", { name: `Make primary: ${second}` }).click();
    await expect(profile.getByText(`${second} is now your primary address.`)).toBeVisible(WAIT);
    expect(await page.evaluate(() => window.lk.user?.primaryEmailAddress?.emailAddress)).toBe(
      second,
    );

    // Active devices: both sessions, this one marked.
    const devices = profile.locator('[part~="sessionItem"]');
    await expect(devices).toHaveCount(2, WAIT);
    await expect(devices.first()).toContainText("This device");
    await expect(profile.locator(`[data-session-id="${other.sessionId}"]`)).toContainText(
      "Last active",
    );

    // Two-step verification: the QR code decodes to the otpauth URI whose secret is shown.
    await profile.getByRole("button", { name: "Add an authenticator app" }).click();
    const qr = await decodeQr(page);
    expect(qr).toMatch(/^otpauth:\/\/totp\//);
    const secret = new URL(qr!).searchParams.get("secret")!;
    const shown = (await profile.locator('[part~="totpSecret"]').textContent())!;
    expect(shown.replace(/\s/g, "")).toBe(secret);
    await screenshot(page, "components-user-profile-totp");
    const enrolled = await freshTotp(secret, 0);
    await profile.getByLabel("Code from the app").fill(enrolled.code);
    await profile.getByRole("button", { name: "Verify and turn on" }).click();
    const enrolledAt = Date.now();
    const codes = profile.locator('[part~="backupCodeList"] li');
    await expect(codes).toHaveCount(10, WAIT);
    await expect(profile.getByText("They are shown only now.", { exact: false })).toBeVisible();
    expect(await page.evaluate(() => window.lk.user?.totpEnabled)).toBe(true);
    await screenshot(page, "components-user-profile-backup-codes");
    await profile.getByRole("button", { name: "I saved them" }).click();
    await expect(codes).toHaveCount(0);

    // Reverification: both factors past the window (the second was verified by the enrolment),
    // revoking the other device asks for the password, then for the authenticator's code, and
    // then goes on.
    await page.waitForTimeout(Math.max(0, enrolledAt + 62_000 - Date.now()));
    await profile
      .locator(`[data-session-id="${other.sessionId}"]`)
      .getByRole("button", { name: /^Sign out of / })
      .click();
    const prompt = profile.locator('[part~="reverification"]');
    await expect(prompt.getByText("Enter your password to go on.")).toBeVisible(WAIT);
    await expect(prompt.getByLabel("Password")).toBeFocused();
    await prompt.getByLabel("Password").fill("not the password");
    await prompt.getByRole("button", { name: "Confirm" }).click();
    await expect(prompt.getByText("That password is not right.")).toBeVisible(WAIT);
    await prompt.getByLabel("Password").fill(PASSWORD);
    await screenshot(page, "components-user-profile-reverification");
    await prompt.getByRole("button", { name: "Confirm" }).click();
    await expect(prompt.getByLabel("Authentication code")).toBeVisible(WAIT);
    await prompt
      .getByLabel("Authentication code")
      .fill((await freshTotp(secret, enrolled.step)).code);
    await prompt.getByRole("button", { name: "Confirm" }).click();
    await expect(profile.getByText("That device was signed out.")).toBeVisible(WAIT);
    await expect(prompt).toHaveCount(0);
    await expect(devices).toHaveCount(1, WAIT);
    await expect.poll(() => other!.page.evaluate(() => window.lk.session), WAIT).toBeNull();

    // Accessible, and as a person sees it in light and dark.
    expect(await seriousViolations(page, "#user-profile")).toEqual([]);
    await page.emulateMedia({ colorScheme: "light" });
    await screenshot(page, "components-user-profile-light");
    await page.emulateMedia({ colorScheme: "dark" });
    await screenshot(page, "components-user-profile-dark");
    expect(await seriousViolations(page, "#user-profile")).toEqual([]);
  } finally {
    await setReverificationWindow(600);
    await other?.context.close();
    await app.stop();
  }
});

test("UserButton: the menu by keyboard, Manage account in a modal, sign-out", async ({ page }) => {
  const app = await startUserPage();
  try {
    await page.goto(app.url);
    await loadSdk(page);
    const email = testAddress("button");
    await signUp(page, email);
    await page.evaluate(async () => {
      await window.lk.user!.update({ firstName: "Grace", lastName: "Hopper" });
      window.lk.mountUserButton(document.getElementById("user-button")!, {
        afterSignOutUrl: `${location.origin}/signed-out`,
      });
    });
    const button = page.getByRole("button", { name: "Open the account menu of Grace Hopper" });
    await expect(button).toBeVisible(WAIT);
    await expect(button.locator(`[part~="userButtonAvatar"]`)).toHaveText("GH");

    // The keyboard opens the menu on its first item; arrows move; Escape closes it.
    await button.focus();
    await page.keyboard.press("Enter");
    const menu = page.getByRole("menu");
    await expect(menu).toBeVisible();
    await expect(menu).toContainText("Grace Hopper");
    await expect(menu).toContainText(email);
    await expect(menu.getByRole("menuitem", { name: "Manage account" })).toBeFocused();
    await page.keyboard.press("ArrowDown");
    await expect(menu.getByRole("menuitem", { name: "Sign out" })).toBeFocused();
    expect(await seriousViolations(page, "#user-button")).toEqual([]);
    await page.emulateMedia({ colorScheme: "light" });
    await screenshot(page, "components-user-button-light");
    await page.emulateMedia({ colorScheme: "dark" });
    await screenshot(page, "components-user-button-dark");
    await page.emulateMedia({ colorScheme: "light" });
    await page.keyboard.press("Escape");
    await expect(menu).toHaveCount(0);
    await expect(button).toBeFocused();

    // Manage account: UserProfile in a modal; Escape closes it, the focus back on the button.
    await button.click();
    await page.getByRole("menuitem", { name: "Manage account" }).click();
    const dialog = page.getByRole("dialog", { name: "Account" });
    await expect(dialog).toBeVisible(WAIT);
    await expect(dialog.getByLabel("First name")).toHaveValue("Grace");
    await screenshot(page, "components-user-profile-modal");
    await page.keyboard.press("Escape");
    await expect(dialog).toHaveCount(0);
    await expect(button).toBeFocused();

    // Sign out: the session ends and the page goes to afterSignOutUrl.
    await button.click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await page.waitForURL(/\/signed-out$/, WAIT);
    await loadSdk(page);
    expect(await page.evaluate(() => window.lk.session)).toBeNull();
  } finally {
    await app.stop();
  }
});

test("UserProfile: the account is deleted once the phrase is typed", async ({ page }) => {
  const app = await startUserPage();
  try {
    await page.goto(app.url);
    await loadSdk(page);
    expect(await page.evaluate(() => window.lk.environment?.deleteSelfEnabled)).toBe(true);
    const email = testAddress("delete");
    await signUp(page, email);
    await page.evaluate(() =>
      window.lk.mountUserProfile(document.getElementById("user-profile")!, {
        afterSignOutUrl: `${location.origin}/deleted`,
      }),
    );
    const profile = page.locator("#user-profile");
    await profile.getByRole("button", { name: "Delete account" }).click();
    const confirm = profile.getByLabel("Type “delete account” to confirm");
    await expect(confirm).toBeFocused();
    const submit = profile.getByRole("button", { name: "Delete my account" });
    await confirm.fill("delete");
    await expect(submit).toBeDisabled();
    await confirm.fill("delete account");
    await submit.click();
    await page.waitForURL(/\/deleted$/, WAIT);
    const found = await backend(
      "query($e: [String!]) { users(filter: {emailAddress: $e}) { data { id } } }",
      { e: [email] },
    );
    expect(found.data.users.data).toEqual([]);
  } finally {
    await app.stop();
  }
});

test("UserButton with multi-session: switch to another account, add an account", async ({
  page,
}) => {
  const multiSession = async (on: boolean) => {
    const answer = await backend(
      "mutation($m: Boolean) { updateInstanceSettings(input: {sessions: {multiSession: $m}}) { id } }",
      { m: on },
    );
    expect(answer.errors).toBeUndefined();
  };
  await multiSession(true);
  const app = await startUserPage();
  try {
    await page.goto(app.url);
    await loadSdk(page);
    const first = testAddress("first");
    const second = testAddress("second");
    const firstSession = await signUp(page, first);
    await signUp(page, second);
    await page.evaluate(() =>
      window.lk.mountUserButton(document.getElementById("user-button")!, {
        signInUrl: `${location.origin}/sign-in`,
      }),
    );
    const button = page.getByRole("button", { name: `Open the account menu of ${second}` });
    await button.click();
    const menu = page.getByRole("menu");
    await expect(menu.getByRole("menuitem", { name: `Switch to ${first}` })).toBeVisible(WAIT);
    await expect(menu.getByRole("menuitem", { name: "Add account" })).toBeVisible();
    await expect(menu.getByRole("menuitem", { name: "Sign out of all accounts" })).toBeVisible();
    expect(await seriousViolations(page, "#user-button")).toEqual([]);
    await screenshot(page, "components-user-button-multi-session");
    await menu.getByRole("menuitem", { name: `Switch to ${first}` }).click();
    await expect.poll(() => page.evaluate(() => window.lk.session?.id), WAIT).toBe(firstSession);
    await expect(
      page.getByRole("button", { name: `Open the account menu of ${first}` }),
    ).toBeVisible(WAIT);

    await page.getByRole("button", { name: `Open the account menu of ${first}` }).click();
    await page.getByRole("menuitem", { name: "Add account" }).click();
    await page.waitForURL(/\/sign-in$/, WAIT);
  } finally {
    await multiSession(false);
    await app.stop();
  }
});
