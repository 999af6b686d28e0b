// The example app (js/examples/react-app) for the suite: built once by global-setup with Vite
// against the test server, then served per test on http://localhost:<port> (another site than
// the server on 127.0.0.1) with its API (`/api/me`, which verifies session tokens); and the
// steps the specs take in it.
import { expect, type Locator, type Page } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { apiMiddleware } from "../examples/react-app/api";
import { backend, mailedCode, screenshot } from "./fixtures";
import type { ServerInfo } from "./server";

const APP = fileURLToPath(new URL("../examples/react-app", import.meta.url));

/** Builds the example app for `info`'s server into `outDir` (Vite's production build). */
export async function buildExampleApp(info: ServerInfo, outDir: string): Promise<void> {
  process.env.LATCHKEY_API_URL = info.url;
  process.env.LATCHKEY_PUBLISHABLE_KEY = info.publishableKey;
  process.env.LATCHKEY_EXAMPLE_OUT_DIR = outDir;
  const { build } = await import("vite");
  await build({ root: APP, logLevel: "warn" });
  for (const name of ["LATCHKEY_API_URL", "LATCHKEY_PUBLISHABLE_KEY", "LATCHKEY_EXAMPLE_OUT_DIR"])
    delete process.env[name];
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
};

/** Serves the built app from `dist` and its API; resolves with its URL and a stop. */
export async function startExampleApp(
  info: ServerInfo,
  dist: string,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const api = apiMiddleware({ apiUrl: info.url, publishableKey: info.publishableKey });
  const server: Server = createServer((req, res) => {
    void api(req, res, async () => {
      const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
      const file = path.startsWith("/assets/") ? join(dist, path) : join(dist, "index.html");
      try {
        const body = await readFile(file);
        res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/`,
    stop: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** The password every user of the example specs signs up with. */
export const PASSWORD = "a sturdy passphrase 42";
/** How long a step of a spec waits for what the page shows. */
export const WAIT = { timeout: 10_000 };

/** A new address at a real-looking domain: latchkey mails it (no test-address shortcut). */
export const newAddress = (who: string): string =>
  `${who}.${Date.now()}.${Math.random().toString(36).slice(2, 6)}@example.com`;

/** The signed-out page's sign-in form heading. */
export const signInHeading = (page: Page): Locator =>
  page.getByRole("heading", { name: "Sign in" });
/** The signed-in page's heading. */
export const accountHeading = (page: Page): Locator =>
  page.getByRole("heading", { name: "Your account" });

/**
 * Clicks the button named `button` and waits for `expected`. The server limits sign-ins,
 * sign-ups and code attempts per IP address (5, 5 and 3 per 10 s), which a suite on one address
 * reaches: when the app shows "Too many tries: wait N seconds", this waits as a person would and
 * clicks again (eight times at most).
 */
export async function submit(page: Page, button: string, expected: Locator): Promise<void> {
  const limited = page.getByRole("alert").filter({ hasText: /Too many tries/ });
  for (let round = 0; ; round++) {
    await page.getByRole("button", { name: button }).click();
    await expect(expected.or(limited)).toBeVisible(WAIT);
    if (await expected.isVisible()) return;
    if (round === 7) throw new Error(`still rate limited after ${round + 1} tries`);
    const seconds = Number((await limited.textContent())?.match(/wait (\d+)/)?.[1] ?? 5);
    await page.waitForTimeout((seconds + 1) * 1000);
  }
}

/**
 * Signs up through the app at `appUrl` with the code from the mail; ends on the signed-in page.
 * `shots` names screenshots of the form's steps.
 */
export async function signUpInApp(
  page: Page,
  appUrl: string,
  email: string,
  shots?: string,
): Promise<void> {
  await page.goto(appUrl);
  await expect(signInHeading(page)).toBeVisible(WAIT);
  await page.getByRole("button", { name: "I am new here" }).click();
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  if (shots) await screenshot(page, `${shots}-sign-up`);
  await submit(page, "Continue", page.getByRole("heading", { name: "Check your email" }));
  const code = await mailedCode(email);
  await page.getByLabel("Verification code").fill(code);
  if (shots) await screenshot(page, `${shots}-sign-up-code`);
  await submit(page, "Verify", accountHeading(page));
  await expect(page.getByTestId("user-email")).toHaveText(email, WAIT);
}

/** Signs in through the app's form with the password (no second factor); ends signed in. */
export async function signInInApp(page: Page, email: string): Promise<void> {
  await expect(signInHeading(page)).toBeVisible(WAIT);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await submit(page, "Sign in", accountHeading(page));
}

/** The user's id, as the backend finds it by email address. */
export async function userIdOf(email: string): Promise<string> {
  const answer = await backend(
    "query($e: [String!]) { users(filter: {emailAddress: $e}) { data { id } } }",
    { e: [email] },
  );
  const id = answer.data?.users?.data?.[0]?.id as string | undefined;
  if (!id) throw new Error(`no user ${email}: ${JSON.stringify(answer)}`);
  return id;
}

/** The session id the app's API sees in the page's session token. */
export async function sessionIdFromApi(page: Page): Promise<string> {
  await page.getByRole("button", { name: "Call the API" }).click();
  await expect(page.getByTestId("api-session")).toHaveText(/^sess_/, WAIT);
  return (await page.getByTestId("api-session").textContent())!;
}
