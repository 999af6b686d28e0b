// Where a component sends the browser once a sign-in or sign-up is done:
// forceRedirectUrl ?? the page's redirect_url ?? fallbackRedirectUrl; none: stay.
import type { Latchkey } from "../latchkey";
import type { ComponentProps } from "./props";

/** The page's `redirect_url` query parameter, if any. */
export function pageRedirectUrl(): string | undefined {
  if (typeof location === "undefined") return undefined;
  return new URLSearchParams(location.search).get("redirect_url") ?? undefined;
}

/** Where to go after signing in or up; `undefined`: stay and show the signed-in state. */
export function afterAuthUrl(props: ComponentProps): string | undefined {
  return props.forceRedirectUrl || pageRedirectUrl() || props.fallbackRedirectUrl || undefined;
}

/**
 * Sends the browser to `url` through `latchkey.redirectTo`: the server checks it against the
 * instance's allowed origins and, for a development app on another origin, adds the handoff
 * code that app's SDK redeems (so it arrives signed in on this client).
 */
export function redirectTo(latchkey: Latchkey, url: string): Promise<void> {
  return latchkey.redirectTo(new URL(url, location.href).href);
}

/**
 * A link to `url` that keeps the page's `redirect_url` (sign-in ↔ sign-up), or `undefined`
 * without a URL.
 */
export function linkKeepingRedirect(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const redirect = pageRedirectUrl();
  if (!redirect) return url;
  const target = new URL(url, location.href);
  if (!target.searchParams.has("redirect_url")) target.searchParams.set("redirect_url", redirect);
  return target.origin === location.origin
    ? `${target.pathname}${target.search}${target.hash}`
    : target.href;
}

/**
 * Ends a sign-in or sign-up: makes its session active, then goes where the props and the page
 * say. Resolves `true` when the browser is leaving the page.
 */
export async function finishAuth(
  latchkey: Latchkey,
  props: ComponentProps,
  sessionId: string,
): Promise<boolean> {
  await latchkey.setActive({ session: sessionId });
  const url = afterAuthUrl(props);
  if (!url) return false;
  await redirectTo(latchkey, url);
  // A URL that differs from this page by its fragment only does not leave the page.
  const withoutHash = (href: string) => href.split("#")[0];
  return withoutHash(new URL(url, location.href).href) !== withoutHash(location.href);
}

/**
 * Goes to a URL the developer gave in a prop (`afterSignOutUrl`): nobody is signed in to hand
 * over, so a plain navigation, to http(s) URLs only.
 */
export function goToPropUrl(url: string): void {
  const target = new URL(url, location.href);
  if (target.protocol === "https:" || target.protocol === "http:") location.assign(target.href);
}
