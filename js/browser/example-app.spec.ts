// The example app (js/examples/react-app, @latchkey/react) in Chromium against the real server
// and a real SMTP server: sign-up with the mailed code, the app's API called with a session
// token, sign-out; TOTP enrolled in the app, then a sign-in with the second factor; a session
// revoked and a user banned through the backend show the tab signed out.
import { expect, test } from "@playwright/test";
import {
  accountHeading,
  newAddress,
  PASSWORD,
  submit,
  sessionIdFromApi,
  signInHeading,
  signUpInApp,
  startExampleApp,
  userIdOf,
  WAIT,
} from "./example-app";
import { backend, exampleDist, screenshot, server } from "./fixtures";
import { totpCode, totpStep } from "./totp";

let app: Awaited<ReturnType<typeof startExampleApp>>;
test.beforeAll(async () => {
  app = await startExampleApp(server(), exampleDist());
});
test.afterAll(async () => {
  await app.stop();
});

test("sign-up with the mailed code, the app's API with a session token, sign-out", async ({
  page,
}) => {
  await page.goto(app.url);
  await expect(signInHeading(page)).toBeVisible(WAIT);
  await screenshot(page, "example-sign-in");

  const email = newAddress("ada");
  await signUpInApp(page, app.url, email, "example");
  await screenshot(page, "example-signed-in");

  const userId = await userIdOf(email);
  await page.getByRole("button", { name: "Call the API" }).click();
  await expect(page.getByTestId("api-user")).toHaveText(userId, WAIT);
  await expect(page.getByTestId("api-session")).toHaveText(/^sess_\w+/, WAIT);
  await screenshot(page, "example-api-call");

  // Still signed in after a reload (the client is kept), then signed out by the button.
  await page.reload();
  await expect(page.getByTestId("user-email")).toHaveText(email, WAIT);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(signInHeading(page)).toBeVisible(WAIT);
  await screenshot(page, "example-signed-out");
  const sessions = await backend("query($u: ID!) { sessions(userId: $u) { status } }", {
    u: userId,
  });
  expect(sessions.data.sessions.map((s: { status: string }) => s.status)).toEqual(["ENDED"]);
});

test("TOTP enrolled in the app, then a sign-in asks for it and completes with it", async ({
  page,
}) => {
  const email = newAddress("grace");
  await signUpInApp(page, app.url, email);

  await page.getByRole("button", { name: "Set up two-step verification" }).click();
  await expect(page.getByTestId("totp-secret")).toHaveText(/^[A-Z2-7]{16,}=*$/, WAIT);
  const secret = (await page.getByTestId("totp-secret").textContent())!;
  const enrolledAt = totpStep();
  await page.getByLabel("Code from the app").fill(totpCode(secret, enrolledAt));
  await screenshot(page, "example-totp-enrol");
  await submit(page, "Turn on", page.getByText(/Two-step verification is on/));
  await expect(page.locator(".codes li")).toHaveCount(10, WAIT);
  const userId = await userIdOf(email);
  const user = await backend("query($u: ID!) { user(id: $u) { totpEnabled } }", { u: userId });
  expect(user.data.user.totpEnabled).toBe(true);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(signInHeading(page)).toBeVisible(WAIT);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await submit(page, "Sign in", page.getByRole("heading", { name: "Two-step verification" }));
  // A code is accepted once: the enrolment's step is spent, so the next step's code (the server
  // accepts one step either side) or the current one when time moved on.
  const step = Math.max(totpStep(), enrolledAt + 1);
  await page.getByLabel("Authenticator code").fill(totpCode(secret, step));
  await screenshot(page, "example-sign-in-totp");
  await submit(page, "Verify", accountHeading(page));
  await expect(page.getByTestId("user-email")).toHaveText(email, WAIT);
  await screenshot(page, "example-signed-in-after-totp");
});

test("a session revoked through the backend shows the tab signed out", async ({ page }) => {
  const email = newAddress("revoked");
  await signUpInApp(page, app.url, email);
  const sessionId = await sessionIdFromApi(page);
  const revoked = await backend("mutation($id: ID!) { revokeSession(id: $id) { status } }", {
    id: sessionId,
  });
  expect(revoked.data.revokeSession.status).toBe("REVOKED");
  await expect(signInHeading(page)).toBeVisible(WAIT);
  await expect(page.getByTestId("user-email")).toHaveCount(0);
  await screenshot(page, "example-revoked");
});

test("a user banned through the backend sees the tab signed out and cannot sign in again", async ({
  page,
}) => {
  const email = newAddress("banned");
  await signUpInApp(page, app.url, email);
  const banned = await backend("mutation($id: ID!) { banUser(id: $id) { banned } }", {
    id: await userIdOf(email),
  });
  expect(banned.data.banUser.banned).toBe(true);
  await expect(signInHeading(page)).toBeVisible(WAIT);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await submit(page, "Sign in", page.getByRole("alert").filter({ hasText: /banned/i }));
  await expect(accountHeading(page)).toHaveCount(0);
  await screenshot(page, "example-banned");
});
