// The running server's URL and keys, and a recorder of every request a page makes.
import type { Page } from "@playwright/test";
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

/** Makes `window.lk` on the page (from /latchkey.js), counting its changes, and loads it. */
export async function loadSdk(page: Page) {
  const { url, publishableKey } = server();
  await page.evaluate(
    async ([apiUrl, key]) => {
      window.changes = 0;
      window.lk = new window.Latchkey(key!, { apiUrl: apiUrl! });
      window.lk.addListener(() => (window.changes += 1));
      await window.lk.load();
    },
    [url, publishableKey],
  );
}
