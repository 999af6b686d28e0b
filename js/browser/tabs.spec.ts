// Five tabs of one browser, signed in to one session, with the token lifetime at its minimum
// (30 s): between them they ask for about one token per lifetime, not one each.
import { expect, type Page, test } from "@playwright/test";
import { startAppServer } from "./app-server";
import { backend, loadSdk, server } from "./fixtures";

const LIFETIME_S = 30;
const CYCLES = 2;

/** Whether a request asks for a session token (the token endpoint; GraphQL's counted too, to catch a regression). */
function isTokenRequest(url: string, body: string | null): boolean {
  return url.includes("/v1/client/sessions/") || (body ?? "").includes("createSessionToken");
}

test("five tabs make about one token request per token lifetime in all", async ({ context }) => {
  test.setTimeout(180_000);
  const settings = (seconds: number) =>
    backend(
      "mutation($s: Int) { updateInstanceSettings(input: {tokens: {lifetimeSeconds: $s}}) { settings { tokens { lifetimeSeconds } } } }",
      {
        s: seconds,
      },
    );
  expect(
    (await settings(LIFETIME_S)).data.updateInstanceSettings.settings.tokens.lifetimeSeconds,
  ).toBe(LIFETIME_S);
  const app = await startAppServer(server().url);
  try {
    const first = await context.newPage();
    await first.goto(app.url);
    await loadSdk(first);
    await first.evaluate(async (address) => {
      const signUp = await window.lk.client!.signUp.create({
        emailAddress: address,
        password: "a sturdy passphrase 42",
      });
      await signUp.prepareEmailAddressVerification();
      const done = await signUp.attemptEmailAddressVerification({ code: "424242" });
      await window.lk.setActive({ session: done.createdSessionId });
    }, `tabs.${Date.now()}+latchkey_test@example.com`);

    const tabs: Page[] = [first];
    for (let i = 1; i < 5; i++) {
      const tab = await context.newPage();
      await tab.goto(app.url);
      await loadSdk(tab);
      tabs.push(tab);
    }
    for (const tab of tabs) expect(await tab.evaluate(() => window.lk.session?.id)).toBeTruthy();

    // Count from the moment every tab holds a token.
    let requests = 0;
    context.on("request", (request) => {
      if (isTokenRequest(request.url(), request.postData())) requests += 1;
    });
    await first.waitForTimeout(CYCLES * LIFETIME_S * 1000);
    const perTab = await Promise.all(
      tabs.map((tab) => tab.evaluate(() => window.lk.tokenRequests)),
    );
    console.log(
      `token requests over ${CYCLES} lifetimes of ${LIFETIME_S} s, 5 tabs: ${requests} (by tab since load: ${perTab.join(", ")})`,
    );
    // One tab alone refreshes every ~23 s: 2-3 in 60 s. Five tabs without sharing would make 13+.
    expect(requests).toBeGreaterThanOrEqual(CYCLES);
    expect(requests).toBeLessThanOrEqual(CYCLES + 2);
    // Every tab still serves a fresh token from its cache.
    for (const tab of tabs)
      expect(await tab.evaluate(() => window.lk.session!.getToken())).toMatch(/\./);
  } finally {
    await settings(60);
    await app.stop();
  }
});
