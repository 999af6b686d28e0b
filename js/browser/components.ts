// Steps the prebuilt-component specs take: the components render in shadow roots, which
// Playwright's locators enter on their own; a wait of the server's rate limits is read from the
// components' own countdown ("Try again in 7 seconds").
import { expect, type Locator, type Page } from "@playwright/test";
import { backend } from "./fixtures";
import { PASSWORD, WAIT } from "./example-app";

/** The error banner of the component(s) on the page (the text a person sees). */
export const banner = (page: Page): Locator => page.locator('[part~="errorBanner"]');

/**
 * Clicks the button named `button` (or presses Enter when `button` is null) and waits for
 * `expected`. While a component shows the server's rate limit (`RATE_LIMITED`, "Try again in N
 * seconds"), waits as a person would and tries again (eight times at most).
 */
export async function submitLimited(
  page: Page,
  button: string | null,
  expected: Locator,
): Promise<void> {
  const limited = banner(page).filter({ hasText: /Too many tries/ });
  for (let round = 0; ; round++) {
    if (button === null) await page.keyboard.press("Enter");
    else await page.getByRole("button", { name: button, exact: true }).click();
    await expect(expected.or(limited)).toBeVisible(WAIT);
    if (await expected.isVisible()) return;
    if (round === 7) throw new Error(`still rate limited after ${round + 1} tries`);
    const text = await limited.textContent({ timeout: 1_000 }).catch(() => "");
    const seconds = Number(text?.match(/in (\d+)/)?.[1] ?? 0);
    await page.waitForTimeout((seconds + 1) * 1000);
    await expect(limited).toHaveCount(0, { timeout: 5_000 });
  }
}

/** A user with `email` and the suite's password, made through the backend. */
export async function createUser(email: string, password = PASSWORD): Promise<string> {
  const answer = await backend(
    "mutation($input: CreateUserInput!) { createUser(input: $input) { id } }",
    { input: { emailAddresses: [email], password } },
  );
  const id = answer.data?.createUser?.id as string | undefined;
  if (!id) throw new Error(`createUser failed: ${JSON.stringify(answer)}`);
  return id;
}

/** What has the focus, looking into shadow roots: its tag, name and type. */
export async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return "none";
    const name = el.getAttribute("name");
    return `${el.tagName.toLowerCase()}${name ? `[name=${name}]` : ""}`;
  });
}
