// GraphiQL as the binary serves it: renders offline (no CDN), lists the schema in its docs,
// runs a query with the development instance's secret key, and requests nothing from another
// origin.
import { expect, test } from "@playwright/test";
import { recordConsoleErrors, recordRequests, server } from "./fixtures";

/** Sets a GraphiQL editor's text through CodeMirror (typing would auto-close brackets). */
async function setEditor(page: import("@playwright/test").Page, selector: string, text: string) {
  await page
    .locator(`${selector} .CodeMirror`)
    .first()
    .evaluate((element, value) => {
      (element as unknown as { CodeMirror: { setValue(v: string): void } }).CodeMirror.setValue(
        value,
      );
    }, text);
}

test("GraphiQL renders from the binary, runs a query with a secret key, and stays on its origin", async ({
  page,
}) => {
  const { url, secretKey } = server();
  const origin = new URL(url);
  const requests = recordRequests(page);
  const errors = recordConsoleErrors(page);

  const response = await page.goto(`${url}/graphql`);
  expect(response?.status()).toBe(200);
  const policy = response?.headers()["content-security-policy"] ?? "";
  expect(policy).toContain("default-src 'none'");
  expect(policy).toContain("script-src 'self';");
  expect(policy).toContain(`connect-src 'self' ws://${origin.host} wss://${origin.host}`);
  await expect(page.locator(".graphiql-container")).toBeVisible();

  // The header editor starts with the placeholder; nothing about headers is stored.
  await page
    .getByRole("button", { name: /headers/i })
    .first()
    .click();
  await expect(page.locator(".graphiql-editor-tool")).toContainText("Bearer sk_…");
  // The variables editor is there too, hidden: the visible one is the header editor.
  await setEditor(
    page,
    ".graphiql-editor-tool .graphiql-editor:not(.hidden)",
    JSON.stringify({ Authorization: `Bearer ${secretKey}` }),
  );

  // The schema is introspected with the key, and the docs list Query.
  await page.getByRole("button", { name: /re-fetch graphql schema/i }).click();
  await page.getByRole("button", { name: /show documentation explorer/i }).click();
  const docs = page.locator(".graphiql-doc-explorer");
  await expect(docs).toContainText("Query", { timeout: 15_000 });

  await setEditor(page, ".graphiql-query-editor", "{ instance { id name environment } }");
  await page.getByRole("button", { name: /execute query/i }).click();
  const result = page.locator(".graphiql-response");
  await expect(result).toContainText('"environment": "DEVELOPMENT"', { timeout: 15_000 });
  await expect(result).toContainText('"name": "Development"');

  await page.screenshot({ path: "test-results/screenshots/graphiql.png", fullPage: true });

  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  expect(stored).not.toContain(secretKey);

  const foreign = requests.filter((r) => {
    const u = new URL(r);
    return u.protocol !== "data:" && u.host !== origin.host;
  });
  expect(foreign).toEqual([]);
  expect(requests.length).toBeGreaterThan(3);
  expect(errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
});

test("GET /graphql still refuses operations and still upgrades to a WebSocket", async ({
  request,
}) => {
  const { url } = server();
  const refused = await request.get(`${url}/graphql?query=%7B__typename%7D`);
  expect(refused.status()).toBe(405);
  expect((await refused.json()).errors[0].extensions.code).toBe("VALIDATION_FAILED");
});
