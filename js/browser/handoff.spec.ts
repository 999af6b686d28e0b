// A sign-in on Latchkey's own origin (the Account Portal's page) handed back to a development
// app on another site: the redirect carries a one-time code that the app's SDK redeems for the
// same client and removes from the address bar; a used code signs nobody in again.
import { expect, test } from "@playwright/test";
import { accountHeading, startExampleApp, WAIT } from "./example-app";
import { backend, exampleDist, loadSdk, screenshot, server } from "./fixtures";

let app: Awaited<ReturnType<typeof startExampleApp>>;
test.beforeAll(async () => {
  app = await startExampleApp(server(), exampleDist());
});
test.afterAll(async () => {
  await app.stop();
});

test("a redirect from the portal arrives signed in on the same client, once", async ({ page }) => {
  const { url } = server();
  const instance = await backend("{ instance { id } }");
  const instanceId = instance.data.instance.id as string;
  // On Latchkey's origin (the portal's page), signed up by the SDK there.
  await page.goto(`${url}/i/${instanceId}/sign-in`);
  await loadSdk(page);
  const email = `handoff.${Date.now()}+latchkey_test@example.com`;
  const portalClient = await page.evaluate(async (address) => {
    await window.retryLimited(() =>
      window.lk.client!.signUp.create({ emailAddress: address, password: "a sturdy passphrase" }),
    );
    await window.lk.client!.signUp.prepareEmailAddressVerification();
    const done = await window.retryLimited(() =>
      window.lk.client!.signUp.attemptEmailAddressVerification({ code: "424242" }),
    );
    await window.lk.setActive({ session: done.createdSessionId });
    return window.lk.client!.id;
  }, email);

  // Elsewhere is refused, as a parsed origin.
  const refused = await page.evaluate(() =>
    window.lk.redirectTo("http://localhost.evil.example/").then(
      () => "sent",
      (error: { code?: string; field?: string }) => `${error.code} ${error.field}`,
    ),
  );
  expect(refused).toBe("VALIDATION_FAILED redirectUrl");

  // To the app: a code in the URL, redeemed and gone from the address bar; the same client.
  const target = `${app.url}?from=portal#top`;
  const handed: string[] = [];
  page.on("request", (request) => {
    if (request.isNavigationRequest() && request.url().includes("__latchkey_handoff="))
      handed.push(request.url());
  });
  const arrived = page.waitForURL((at) => at.origin === new URL(app.url).origin);
  await page.evaluate((to) => void window.lk.redirectTo(to), target);
  await arrived;
  await expect(accountHeading(page)).toBeVisible(WAIT);
  await expect(page.getByTestId("user-email")).toHaveText(email, WAIT);
  await expect.poll(() => page.url(), WAIT).toBe(target);
  await screenshot(page, "handoff-arrived");
  // The app kept the portal's client: one session in all, not a second sign-in.
  const sessions = await backend(
    "query($e: [String!]) { users(filter: {emailAddress: $e}) { data { id } } }",
    { e: [email] },
  );
  const userId = sessions.data.users.data[0].id as string;
  const listed = await backend("query($u: ID!) { sessions(userId: $u) { id status } }", {
    u: userId,
  });
  expect(listed.data.sessions).toHaveLength(1);
  expect(portalClient).toMatch(/^client_/);

  // The used code opened again (a link copied before it was taken) signs in nobody: another
  // browser stays signed out, and the code leaves its address bar too.
  expect(handed).toHaveLength(1);
  expect(handed[0]).toMatch(/[?&]__latchkey_handoff=lkh_/);
  const fresh = await page.context().browser()!.newContext();
  const other = await fresh.newPage();
  await other.goto(handed[0]!);
  await expect(other.getByRole("heading", { name: "Sign in" })).toBeVisible(WAIT);
  await expect.poll(() => other.url(), WAIT).not.toContain("__latchkey_handoff");
  await fresh.close();
});
