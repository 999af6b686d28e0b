// @latchkey/js from /latchkey.js on a page of another site (development instance): sign-up
// with a test address's fixed code, a session token, the cookies for the app's server, staying
// signed in across a reload, a revocation by the backend seen live, and sign-out.
import { expect, type Page, test } from "@playwright/test";
import { startAppServer } from "./app-server";
import { backend, loadSdk, screenshot, server } from "./fixtures";

const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString());

test("the SDK signs up, holds a session across reloads, sees a revocation live, and signs out", async ({
  page,
}) => {
  const { url, publishableKey } = server();
  const app = await startAppServer(url);
  try {
    await page.goto(app.url);
    expect(await page.evaluate(() => typeof window.Latchkey)).toBe("function");
    await loadSdk(page);
    expect(
      await page.evaluate(() => ({ loaded: window.lk.loaded, session: window.lk.session })),
    ).toEqual({
      loaded: true,
      session: null,
    });

    const email = `jane.${Date.now()}+latchkey_test@example.com`;
    const signedUp = await page.evaluate(async (address) => {
      let signUp = await window.retryLimited(() =>
        window.lk.client!.signUp.create({
          emailAddress: address,
          password: "a sturdy passphrase 42",
        }),
      );
      const created = signUp;
      signUp = await window.retryLimited(() => created.prepareEmailAddressVerification());
      const prepared = signUp;
      signUp = await window.retryLimited(() =>
        prepared.attemptEmailAddressVerification({ code: "424242" }),
      );
      await window.lk.setActive({ session: signUp.createdSessionId });
      const token = await window.lk.session!.getToken();
      return {
        status: signUp.status,
        sessionId: window.lk.session?.id,
        userId: window.lk.user?.id,
        email: window.lk.user?.primaryEmailAddress?.emailAddress,
        token,
        cookies: document.cookie,
        stored: localStorage.getItem(
          `latchkey_client:${(window.lk as { publishableKey: string }).publishableKey}`,
        ),
      };
    }, email);
    expect(signedUp.status).toBe("COMPLETE");
    expect(signedUp.email).toBe(email);
    expect(claims(signedUp.token!)).toMatchObject({
      sid: signedUp.sessionId,
      sub: signedUp.userId,
    });
    expect(signedUp.stored).toBeTruthy();
    expect(signedUp.cookies).toMatch(/__session=[\w-]+\.[\w-]+\.[\w-]+/);
    expect(signedUp.cookies).toMatch(/__client_uat=[1-9]\d+/);
    const cookies = await page.context().cookies(app.url);
    const session = cookies.find((c) => c.name === "__session")!;
    expect(session).toMatchObject({
      domain: "localhost",
      path: "/",
      sameSite: "Lax",
      secure: false,
    });
    expect(session.expires * 1000).toBeGreaterThan(Date.now());
    expect(session.expires * 1000).toBeLessThan(Date.now() + 70_000);

    // A reload keeps the client (its token in localStorage) and so the session.
    await page.reload();
    await loadSdk(page);
    expect(await page.evaluate(() => window.lk.user?.primaryEmailAddress?.emailAddress)).toBe(
      email,
    );
    expect(await page.evaluate(() => window.lk.status)).toBe("ready");

    // The backend revokes the session: the page is told without asking.
    const before = await page.evaluate(() => window.changes);
    const revoked = await backend("mutation($id: ID!) { revokeSession(id: $id) { id status } }", {
      id: signedUp.sessionId,
    });
    expect(revoked.data.revokeSession.status).toBe("REVOKED");
    await expect.poll(() => page.evaluate(() => window.lk.session), { timeout: 10_000 }).toBeNull();
    expect(await page.evaluate(() => window.changes)).toBeGreaterThan(before);
    expect(await page.evaluate(() => window.lk.user)).toBeNull();

    // Signed in again, then out: the cookies say so.
    const signedOut = await page.evaluate(async (address) => {
      const signIn = await window.retryLimited(() =>
        window.lk.client!.signIn.create({
          identifier: address,
          password: "a sturdy passphrase 42",
        }),
      );
      await window.lk.setActive({ session: signIn.createdSessionId });
      const inside = window.lk.user?.id;
      await window.lk.signOut();
      return { inside, session: window.lk.session, cookies: document.cookie };
    }, email);
    expect(signedOut.inside).toBe(signedUp.userId);
    expect(signedOut.session).toBeNull();
    expect(signedOut.cookies).not.toContain("__session=");
    expect(signedOut.cookies).toContain("__client_uat=0");
    expect(publishableKey).toMatch(/^pk_test_/);
    await screenshot(page, "sdk-signed-out");
  } finally {
    await app.stop();
  }
});

test("/latchkey.js is served briefly cached, its versioned name for good", async ({ request }) => {
  const { url } = server();
  const plain = await request.get(`${url}/latchkey.js`);
  expect(plain.status()).toBe(200);
  expect(plain.headers()["content-type"]).toContain("text/javascript");
  expect(plain.headers()["cache-control"]).toBe("public, max-age=300, must-revalidate");
  const etag = plain.headers()["etag"]!;
  const versioned = await request.get(`${url}/assets/${etag.replaceAll('"', "")}`);
  expect(versioned.status()).toBe(200);
  expect(versioned.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
  expect(await versioned.body()).toEqual(await plain.body());
  const unchanged = await request.get(`${url}/latchkey.js`, { headers: { "if-none-match": etag } });
  expect(unchanged.status()).toBe(304);
  expect((await request.get(`${url}/assets/latchkey.0000000000000000.js`)).status()).toBe(404);
});
