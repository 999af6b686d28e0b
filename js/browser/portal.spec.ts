// The Account Portal's pages as a visitor meets them: how soon the sign-in page can be used, a
// frame on another site refused, a redirect_url off the instance's origins refused after the
// sign-in, and the account pages (/user, /organization) behind a sign-in that comes back.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, type Page, test } from "@playwright/test";
import { banner, createUser, submitLimited } from "./components";
import { newAddress, PASSWORD, WAIT } from "./example-app";
import {
  backend,
  percentile,
  recordConsoleErrors,
  recordRequests,
  recordMeasurement,
  screenshot,
  server,
} from "./fixtures";

const heading = (page: Page, name: string) => page.getByRole("heading", { name, exact: true });

async function portalUrl(): Promise<string> {
  const instance = await backend("{ instance { id } }");
  return `${server().url}/i/${instance.data.instance.id as string}`;
}

test("the sign-in page is usable soon after the navigation starts (measured)", async ({ page }) => {
  const portal = await portalUrl();
  const requested = recordRequests(page);
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const started = Date.now();
    await page.goto(`${portal}/sign-in`);
    await expect(page.getByLabel("Email address")).toBeEditable(WAIT);
    times.push(Date.now() - started);
  }
  times.sort((a, b) => a - b);
  recordMeasurement("portal-sign-in-time-to-interactive-ms", {
    tries: times.length,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
  });
  expect(times).toHaveLength(10);
  // Everything the page loads comes from the server itself: no CDN, no other origin.
  const own = new URL(server().url).host;
  const elsewhere = requested.filter((url) => new URL(url).host !== own);
  expect(requested.length).toBeGreaterThan(10);
  expect(elsewhere).toEqual([]);
});

test("a page on another site cannot frame the portal", async ({ page }) => {
  const portal = await portalUrl();
  const html = `<!doctype html><title>framer</title><iframe id="f" src="${portal}/user"></iframe>`;
  const framer: Server = createServer((_, res) =>
    res.writeHead(200, { "content-type": "text/html" }).end(html),
  );
  await new Promise<void>((done) => framer.listen(0, "127.0.0.1", done));
  const { port } = framer.address() as AddressInfo;
  try {
    const refused = page.waitForEvent("console", (m) =>
      /frame-ancestors|Refused to (display|frame)/i.test(m.text()),
    );
    await page.goto(`http://localhost:${port}/`);
    await refused;
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const content = await frame?.content().catch(() => "");
    expect(content ?? "").not.toContain("latchkey-portal");
  } finally {
    await new Promise((done) => framer.close(() => done(undefined)));
  }
});

test("a redirect_url off the instance's origins is refused after the sign-in", async ({ page }) => {
  const portal = await portalUrl();
  const email = newAddress("offlist");
  await createUser(email);
  const errors = recordConsoleErrors(page);
  await page.goto(`${portal}/sign-in?redirect_url=${encodeURIComponent("https://evil.example/")}`);
  await page.getByLabel("Email address").fill(email);
  await submitLimited(page, "Continue", heading(page, "Enter your password"));
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await submitLimited(page, "Sign in", banner(page).filter({ hasText: /does not allow/i }));
  expect(new URL(page.url()).origin).toBe(server().url);
  await screenshot(page, "portal-redirect-refused");
  expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
});

test("the account pages send a signed-out visitor to sign in, then back", async ({ page }) => {
  const portal = await portalUrl();
  const email = newAddress("account");
  await createUser(email);
  await page.goto(`${portal}/user`);
  await page.waitForURL(/\/sign-in\?redirect_url=/, WAIT);
  await page.getByLabel("Email address").fill(email);
  await submitLimited(page, "Continue", heading(page, "Enter your password"));
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await submitLimited(page, "Sign in", heading(page, "Account"));
  expect(page.url()).toBe(`${portal}/user`);
  await expect(page.getByText(email).first()).toBeVisible(WAIT);
  await screenshot(page, "portal-user");
  await page.goto(`${portal}/organization`);
  await expect(page.locator("#latchkey-portal")).toHaveAttribute(
    "data-latchkey-portal",
    "organization",
  );
  await screenshot(page, "portal-organization");
});
