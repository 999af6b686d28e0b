// The prebuilt SignIn and SignUp components mounted in the example app through @latchkey/react
// (js/examples/react-app, /components), in Chromium against the real server and SMTP server:
// sign-up with the mailed code and the password policy's feedback, sign-in with a password, a
// TOTP second factor and a backup code, a password reset by mail, a keyboard-only sign-in, the
// modal's focus handling, appearance and the host page's CSS, axe-core, and screenshots in light
// and dark.
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { banner, createUser, focused, submitLimited } from "./components";
import { newAddress, PASSWORD, startExampleApp, WAIT } from "./example-app";
import {
  backend,
  exampleDist,
  mailedCode,
  recordConsoleErrors,
  screenshot,
  server,
} from "./fixtures";
import { totpCode, totpStep } from "./totp";

let app: Awaited<ReturnType<typeof startExampleApp>>;
test.beforeAll(async () => {
  app = await startExampleApp(server(), exampleDist());
});
test.afterAll(async () => {
  await app.stop();
});

const heading = (page: Page, name: string) => page.getByRole("heading", { name, exact: true });
const signedInAs = (page: Page) => page.getByTestId("user-email");

/** Opens the components page (signed out) and waits for SignIn's first step. */
async function openSignIn(page: Page, path = "components") {
  await page.goto(`${app.url}${path}`);
  await expect(heading(page, "Sign in")).toBeVisible(WAIT);
}

/** Signs in through SignIn's identifier and password steps (no second factor). */
async function signInWithPassword(page: Page, email: string, password = PASSWORD) {
  await page.getByLabel("Email address").fill(email);
  await submitLimited(page, "Continue", heading(page, "Enter your password"));
  await page.getByLabel("Password", { exact: true }).fill(password);
  await submitLimited(page, "Sign in", signedInAs(page));
  await expect(signedInAs(page)).toHaveText(email, WAIT);
}

/** axe-core on the page: no serious or critical violation (the components' shadow roots included). */
async function expectAccessible(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    bad.map((v) => `${what}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target).join(" | ")}`),
  ).toEqual([]);
}

test("sign-up through the mounted <SignUp/>: password feedback, the mailed code, signed in", async ({
  page,
}) => {
  await page.goto(`${app.url}components/sign-up`);
  await expect(heading(page, "Create your account")).toBeVisible(WAIT);
  const email = newAddress("signup");
  await page.getByLabel("Email address").fill(email);
  // The policy's length while typing, then the server's verdicts under the field.
  await page.getByLabel("Password").fill("short");
  await expect(page.getByText("Use at least 8 characters (5 so far).")).toBeVisible();
  await page.getByLabel("Password").fill("password");
  await submitLimited(
    page,
    "Continue",
    page.locator('[part~="formFieldError"]').filter({ hasText: /data breach|too common/ }),
  );
  await expect(page.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");
  await screenshot(page, "components-sign-up-compromised");
  await page.getByLabel("Password").fill(PASSWORD);
  await submitLimited(page, "Continue", heading(page, "Verify your email"));
  await expect(page.getByText(`We sent a code to ${email}`)).toBeVisible();
  await expect(page.getByText(/Resend code in \d+ s/)).toBeVisible();
  await expect(page.getByLabel("Verification code")).toBeFocused();
  // A wrong code is said under the field; the right one signs in.
  await page.getByLabel("Verification code").fill("000000");
  await submitLimited(page, "Verify", page.getByText("That code is not right."));
  await screenshot(page, "components-sign-up-code");
  await page.getByLabel("Verification code").fill(await mailedCode(email));
  await submitLimited(page, "Verify", signedInAs(page));
  await expect(signedInAs(page)).toHaveText(email, WAIT);
});

test("sign-in with a password through the mounted <SignIn/>, errors inline", async ({ page }) => {
  const email = newAddress("signin");
  await createUser(email);
  await openSignIn(page);
  await page.getByLabel("Email address").fill(email);
  await submitLimited(page, "Continue", heading(page, "Enter your password"));
  await expect(page.getByText(email)).toBeVisible();
  await expect(page.getByLabel("Password", { exact: true })).toBeFocused();
  await page.getByLabel("Password", { exact: true }).fill("not the password at all");
  await submitLimited(page, "Sign in", page.getByText("That password is not right."));
  await expect(page.getByLabel("Password", { exact: true })).toHaveAttribute(
    "aria-invalid",
    "true",
  );
  await expectAccessible(page, "password step with an error");
  await screenshot(page, "components-sign-in-wrong-password");
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await submitLimited(page, "Sign in", signedInAs(page));
  await expect(signedInAs(page)).toHaveText(email, WAIT);
  // Signed in on the same client as the rest of the app: the custom page says so too.
  await page.goto(app.url);
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible(WAIT);
});

test("a TOTP second factor, then a backup code", async ({ page }) => {
  const email = newAddress("totp");
  await createUser(email);
  await openSignIn(page);
  await signInWithPassword(page, email);
  // Enrolled on the example app's own account page (the SDK's createTotp/verifyTotp).
  await page.goto(app.url);
  await page.getByRole("button", { name: "Set up two-step verification" }).click();
  await expect(page.getByTestId("totp-secret")).toHaveText(/^[A-Z2-7]{16,}=*$/, WAIT);
  const secret = (await page.getByTestId("totp-secret").textContent())!;
  const enrolledAt = totpStep();
  await page.getByLabel("Code from the app").fill(totpCode(secret, enrolledAt));
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.locator(".codes li")).toHaveCount(10, WAIT);
  const backupCodes = await page.locator(".codes li").allTextContents();
  await page.getByRole("button", { name: "Sign out" }).click();

  await openSignIn(page);
  await page.getByLabel("Email address").fill(email);
  await submitLimited(page, "Continue", heading(page, "Enter your password"));
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await submitLimited(page, "Sign in", heading(page, "Two-step verification"));
  await expect(page.getByLabel("Authentication code")).toBeFocused();
  await expect(page.getByLabel("Authentication code")).toHaveAttribute(
    "autocomplete",
    "one-time-code",
  );
  await screenshot(page, "components-sign-in-totp");
  const step = Math.max(totpStep(), enrolledAt + 1);
  await page.getByLabel("Authentication code").fill(totpCode(secret, step));
  await submitLimited(page, "Verify", signedInAs(page));
  await expect(signedInAs(page)).toHaveText(email, WAIT);

  // Signed out (the app's own button), then in again with a backup code.
  await page.goto(app.url);
  await page.getByRole("button", { name: "Sign out" }).click();
  await openSignIn(page);
  await page.getByLabel("Email address").fill(email);
  await submitLimited(page, "Continue", heading(page, "Enter your password"));
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await submitLimited(page, "Sign in", heading(page, "Two-step verification"));
  await page.getByRole("button", { name: "Use a backup code" }).click();
  await expect(page.getByLabel("Backup code")).toBeFocused();
  await page.getByLabel("Backup code").fill(backupCodes[0]!.trim());
  await submitLimited(page, "Verify", signedInAs(page));
  await expect(signedInAs(page)).toHaveText(email, WAIT);
});

test("forgot password: the reset code by mail, a new password, signed in with it", async ({
  page,
}) => {
  const email = newAddress("reset");
  await createUser(email);
  await openSignIn(page);
  await page.getByLabel("Email address").fill(email);
  await submitLimited(page, "Continue", heading(page, "Enter your password"));
  await page.getByRole("button", { name: "Forgot password?" }).click();
  await expect(heading(page, "Reset your password")).toBeVisible(WAIT);
  await expect(page.getByLabel("Verification code")).toBeFocused();
  await page.getByLabel("Verification code").fill(await mailedCode(email));
  await submitLimited(page, "Continue", heading(page, "Choose a new password"));
  const fresh = "another sturdy passphrase 7";
  await page.getByLabel("New password").fill(fresh);
  await page.getByLabel("Confirm password").fill("not the same");
  await page.getByRole("button", { name: "Reset password" }).click();
  await expect(page.getByText("The passwords do not match.")).toBeVisible();
  await page.getByLabel("Confirm password").fill(fresh);
  await screenshot(page, "components-sign-in-new-password");
  await submitLimited(page, "Reset password", signedInAs(page));
  await expect(signedInAs(page)).toHaveText(email, WAIT);

  // The new password is the one that works now.
  await page.goto(app.url);
  await page.getByRole("button", { name: "Sign out" }).click();
  await openSignIn(page);
  await signInWithPassword(page, email, fresh);
});

test("UserButton's sign-out after a sign-in through the components", async ({ page }) => {
  const email = newAddress("userbutton");
  const userId = await createUser(email);
  await openSignIn(page);
  await signInWithPassword(page, email);
  await page.getByRole("button", { name: /Open the account menu/ }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(heading(page, "Sign in")).toBeVisible(WAIT);
  await expect(signedInAs(page)).toHaveCount(0);
  const sessions = await backend("query($u: ID!) { sessions(userId: $u) { status } }", {
    u: userId,
  });
  expect(sessions.data.sessions.map((s: { status: string }) => s.status)).toEqual(["ENDED"]);
});

test("RATE_LIMITED and ACCOUNT_LOCKED show their wait above the form, counting down", async ({
  page,
}) => {
  test.setTimeout(150_000);
  const email = newAddress("locked");
  await createUser(email);
  await openSignIn(page);
  await page.getByLabel("Email address").fill(email);
  await submitLimited(page, "Continue", heading(page, "Enter your password"));
  const wrong = page.getByText("That password is not right.");
  // What a person sees (the banner's visible text; screen readers get it once, not each second).
  const shown = banner(page).locator('[aria-hidden="true"]');
  const limited = shown.filter({ hasText: /^Too many tries\. Try again in \d+ seconds?\.$/ });
  const locked = shown.filter({
    hasText: /^This account is locked for now\. Try again in \d+ minutes\.$/,
  });
  // The wait shown now (0 once the banner is gone).
  const seconds = async () =>
    Number(
      (await limited.textContent({ timeout: 1_000 }).catch(() => ""))?.match(/in (\d+)/)?.[1] ?? 0,
    );
  let sawLimited = false;
  for (let round = 0; round < 40 && !(await locked.isVisible()); round++) {
    await page.getByLabel("Password", { exact: true }).fill(`wrong password ${round}`);
    const answered = page.waitForResponse((r) =>
      (r.request().postData() ?? "").includes("attemptFirstFactor"),
    );
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await answered;
    await expect(wrong.or(limited).or(locked)).toBeVisible(WAIT);
    if (await limited.isVisible()) {
      const first = await seconds();
      if (!sawLimited && first >= 3) {
        // Said once to screen readers, counting down where it is seen.
        await expect(page.getByRole("alert").filter({ hasText: /Try again in/ })).toHaveCount(1);
        await page.waitForTimeout(1_100);
        const later = await seconds();
        expect(later).toBeGreaterThan(0);
        expect(later).toBeLessThan(first);
        await screenshot(page, "components-sign-in-rate-limited");
        sawLimited = true;
      }
      // The banner goes when the wait is over.
      await expect(limited).toHaveCount(0, { timeout: 15_000 });
    }
  }
  expect(sawLimited).toBe(true);
  await expect(locked).toBeVisible();
  await screenshot(page, "components-sign-in-locked");
});

test("a keyboard-only sign-in (Tab and Enter), focus moving to each step's field", async ({
  page,
}) => {
  const email = newAddress("keys");
  await createUser(email);
  await openSignIn(page);
  await page.keyboard.press("Tab");
  expect(await focused(page)).toBe("input[name=identifier]");
  await page.keyboard.type(email);
  await submitLimited(page, null, heading(page, "Enter your password"));
  expect(await focused(page)).toBe("input[name=password]");
  await page.keyboard.type(PASSWORD);
  await submitLimited(page, null, signedInAs(page));
  await expect(signedInAs(page)).toHaveText(email, WAIT);
});

test("hash routing: the step in the address, Back to the identifier, a reload resumes", async ({
  page,
}) => {
  const email = newAddress("routing");
  await createUser(email);
  await openSignIn(page, "components?routing=hash");
  await page.getByLabel("Email address").fill(email);
  await submitLimited(page, "Continue", heading(page, "Enter your password"));
  expect(new URL(page.url()).hash).toBe("#/password");
  // The sign-in in progress is the client's: a reload comes back to the same step.
  await page.reload();
  await expect(heading(page, "Enter your password")).toBeVisible(WAIT);
  await expect(page.getByText(email)).toBeVisible();
  await page.goBack();
  await expect(heading(page, "Sign in")).toBeVisible(WAIT);
  await page.goForward();
  await expect(heading(page, "Enter your password")).toBeVisible(WAIT);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await submitLimited(page, "Sign in", signedInAs(page));
  await expect(signedInAs(page)).toHaveText(email, WAIT);
});

test("openSignIn: a modal that takes the focus, keeps it, closes on Escape and gives it back", async ({
  page,
}) => {
  await openSignIn(page);
  const opener = page.getByRole("button", { name: "Sign in in a modal" });
  await opener.click();
  const dialog = page.getByRole("dialog", { name: "Sign in" });
  await expect(dialog).toBeVisible(WAIT);
  await expect(dialog).toHaveAttribute("aria-modal", "true");
  await expect(dialog.getByLabel("Email address")).toBeFocused();
  // Tab goes round inside the dialog, never back to the page.
  const seen = new Set<string>();
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press("Tab");
    const inside = await page.evaluate(() => {
      const host = document.querySelector("[data-latchkey-modal]");
      return host?.shadowRoot?.activeElement != null && document.activeElement === host;
    });
    expect(inside).toBe(true);
    seen.add(await focused(page));
  }
  expect(seen.size).toBeGreaterThan(2);
  await expectAccessible(page, "SignIn modal");
  await screenshot(page, "components-sign-in-modal");
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(opener).toBeFocused();
});

test("appearance reaches the components, the page's CSS does not", async ({ page }) => {
  await openSignIn(page, "components?brand");
  const submit = page.getByRole("button", { name: "Continue" });
  // The example app styles every <button> blue (#3451d1); the component's stays its own.
  const style = await submit.evaluate((el) => {
    const s = getComputedStyle(el);
    return { background: s.backgroundColor, radius: s.borderTopLeftRadius, width: s.width };
  });
  expect(style.background).toBe("rgb(10, 125, 56)");
  expect(style.radius).toBe("2px");
  const card = page.locator('[part~="card"]').first();
  expect(await card.evaluate((el) => getComputedStyle(el).borderTopWidth)).toBe("3px");
  // No inline style attribute anywhere (the portal's CSP allows none).
  const inline = await page.evaluate(() => {
    const hosts = [...document.querySelectorAll("[data-latchkey-component]")];
    return hosts.flatMap((h) => [...(h.shadowRoot?.querySelectorAll("[style]") ?? [])]).length;
  });
  expect(inline).toBe(0);
  await screenshot(page, "components-sign-in-brand");
});

for (const scheme of ["light", "dark"] as const) {
  test(`SignIn and SignUp in ${scheme}: axe-core and screenshots`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await openSignIn(page);
    await expectAccessible(page, `SignIn (${scheme})`);
    await screenshot(page, `components-sign-in-${scheme}`);
    await page.getByRole("link", { name: "Sign up" }).click();
    await expect(heading(page, "Create your account")).toBeVisible(WAIT);
    await expectAccessible(page, `SignUp (${scheme})`);
    await screenshot(page, `components-sign-up-${scheme}`);
    // An error above the form, and one under a field, are accessible too.
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(
      banner(page).or(page.locator('[part~="formFieldError"]:not(:empty)')),
    ).not.toHaveCount(0, WAIT);
    await expectAccessible(page, `SignUp with errors (${scheme})`);
    await screenshot(page, `components-sign-up-errors-${scheme}`);
  });
}

test("the Account Portal's sign-in page: SignIn from its markup, back to the app signed in", async ({
  page,
}) => {
  const { url } = server();
  const instance = await backend("{ instance { id } }");
  const portal = `${url}/i/${instance.data.instance.id as string}`;
  const email = newAddress("portal");
  await createUser(email);
  const back = `${app.url}components`;
  const errors = recordConsoleErrors(page);
  await page.goto(`${portal}/sign-in?redirect_url=${encodeURIComponent(back)}`);
  await expect(heading(page, "Sign in")).toBeVisible(WAIT);
  // Its link to sign-up keeps where to go afterwards.
  const signUp = new URL(
    (await page.getByRole("link", { name: "Sign up" }).getAttribute("href"))!,
    page.url(),
  );
  expect(signUp.pathname).toMatch(/\/i\/[^/]+\/sign-up$/);
  expect(signUp.searchParams.get("redirect_url")).toBe(back);
  await expectAccessible(page, "portal sign-in");
  await screenshot(page, "components-portal-sign-in");
  await page.getByLabel("Email address").fill(email);
  await submitLimited(page, "Continue", heading(page, "Enter your password"));
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await submitLimited(page, "Sign in", signedInAs(page));
  expect(page.url().startsWith(back)).toBe(true);
  await expect(signedInAs(page)).toHaveText(email, WAIT);
  // Signed in on the portal's client: a visit with a redirect_url goes straight back.
  await page.goto(`${portal}/sign-in?redirect_url=${encodeURIComponent(back)}`);
  await page.waitForURL((at) => at.href.startsWith(back), WAIT);
  await expect(signedInAs(page)).toHaveText(email, WAIT);
  // No CSP violation on the way (constructable stylesheets only, no inline style or script).
  expect(errors.filter((e) => /Content Security Policy|Refused/i.test(e))).toEqual([]);
});
