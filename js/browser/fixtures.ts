// The running server's URL and keys, its mail, a recorder of every request a page makes, and
// where screenshots and measurements go.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "@playwright/test";
import { decodedBody, messagesTo } from "./mailbox";
import type { ServerInfo } from "./server";

/** The server global-setup started. */
export function server(): ServerInfo {
  const info = process.env.LATCHKEY_TEST_SERVER;
  if (!info)
    throw new Error(
      "the browser suite runs through playwright.config.ts (global-setup starts the server)",
    );
  return JSON.parse(info) as ServerInfo;
}

/** Every URL the page requests (documents, scripts, styles, fetches, WebSockets). */
export function recordRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on("request", (request) => urls.push(request.url()));
  page.on("websocket", (socket) => urls.push(socket.url()));
  return urls;
}

/** What the page printed to its console as errors (a CSP violation is one). */
export function recordConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  page.on("pageerror", (error) => errors.push(String(error)));
  return errors;
}

declare global {
  interface Window {
    Latchkey: typeof import("../packages/latchkey-js/src/latchkey").Latchkey;
    lk: InstanceType<Window["Latchkey"]>;
    changes: number;
    /** Runs `step`, again after `retryAfter` while the server answers `RATE_LIMITED` (see loadSdk). */
    retryLimited: <T>(step: () => Promise<T>) => Promise<T>;
  }
}

/** A GraphQL operation as the backend (the development instance's secret key). */
export async function backend(query: string, variables: Record<string, unknown> = {}) {
  const { url, secretKey } = server();
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${secretKey}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data: Record<string, any>; errors?: unknown[] };
}

/**
 * Makes `window.lk` on the page (from /latchkey.js), counting its changes, and loads it; and
 * `window.retryLimited` for steps the server's per-IP limits may refuse for a while.
 */
export async function loadSdk(page: Page) {
  const { url, publishableKey } = server();
  await page.evaluate(
    async ([apiUrl, key]) => {
      window.changes = 0;
      // The server limits sign-ins, sign-ups and attempts per IP address (5, 5 and 3 per 10 s),
      // which a suite on one address reaches: wait as asked and try the step again.
      window.retryLimited = async (step) => {
        for (let round = 0; ; round++) {
          try {
            return await step();
          } catch (error) {
            const { code, retryAfter } = error as { code?: string; retryAfter?: number };
            if (code !== "RATE_LIMITED" || round === 7) throw error;
            await new Promise((done) => setTimeout(done, ((retryAfter ?? 2) + 1) * 1000));
          }
        }
      };
      window.lk = new window.Latchkey(key!, { apiUrl: apiUrl! });
      window.lk.addListener(() => (window.changes += 1));
      await window.lk.load();
    },
    [url, publishableKey],
  );
}

/** The directory the suite's SMTP server writes each message to (see mailbox.ts). */
export function mailboxDir(): string {
  const dir = process.env.LATCHKEY_TEST_MAILBOX;
  if (!dir) throw new Error("no mailbox: the browser suite runs through playwright.config.ts");
  return dir;
}

/** Where global-setup built the example app. */
export function exampleDist(): string {
  const dir = process.env.LATCHKEY_TEST_EXAMPLE_DIST;
  if (!dir) throw new Error("no example app: the browser suite runs through playwright.config.ts");
  return dir;
}

/**
 * The six-digit code of the newest message latchkey mailed to `address`, waiting for it up to
 * `timeoutMs`.
 */
export async function mailedCode(address: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const messages = messagesTo(mailboxDir(), address);
    const last = messages.at(-1);
    const code = last && decodedBody(last).match(/(?<![\d#])(\d{6})(?!\d)/)?.[1];
    if (code) return code;
    if (Date.now() > deadline)
      throw new Error(
        `no code mailed to ${address} in ${timeoutMs} ms (${messages.length} messages)`,
      );
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** What a person sees: a full-page screenshot in js/test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(RESULTS, "screenshots", `${name}.png`), fullPage: true });
}

/** Appends one measurement to js/test-results/measurements.json (an array) and prints it. */
export function recordMeasurement(name: string, values: Record<string, unknown>): void {
  const entry = { name, at: new Date().toISOString(), ...values };
  console.log(`measurement ${JSON.stringify(entry)}`);
  const file = join(RESULTS, "measurements.json");
  mkdirSync(RESULTS, { recursive: true });
  let all: unknown[] = [];
  try {
    all = JSON.parse(readFileSync(file, "utf8")) as unknown[];
  } catch {
    // None yet.
  }
  writeFileSync(file, `${JSON.stringify([...all, entry], null, 2)}\n`);
}

/** The `p`th percentile (0–100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

const RESULTS = fileURLToPath(new URL("../test-results", import.meta.url));
