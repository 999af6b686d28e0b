// The Account Portal's pages (/i/{instanceId}/sign-in|sign-up|user|organization): the server
// sends only `<div id="latchkey-portal" data-page data-publishable-key data-api-url>` and
// /latchkey.js; this makes the SDK from those attributes, loads it and mounts the page's
// component full-page (the instance's name and logo come with `environment`).
import { Latchkey } from "../latchkey";
import { mountComponent } from "./mount";
import type { ComponentName, ComponentProps } from "./props";
import { pageRedirectUrl, redirectTo } from "./redirect";

const PAGES: Record<string, ComponentName> = {
  "sign-in": "SignIn",
  "sign-up": "SignUp",
  user: "UserProfile",
  organization: "OrganizationProfile",
};

/** A sibling page of the portal (`sign-up` beside `…/sign-in`). */
const sibling = (page: string): string => `${location.pathname.replace(/\/[^/]*\/?$/, "")}/${page}`;

/**
 * Boots the portal when the page has its element (a no-op otherwise); resolves with the SDK it
 * made, or `undefined`.
 */
export async function bootPortal(): Promise<Latchkey | undefined> {
  const host = document.getElementById("latchkey-portal");
  if (!host) return undefined;
  const { page = "", publishableKey, apiUrl } = host.dataset;
  const name = PAGES[page];
  if (!name || !publishableKey || !apiUrl) {
    console.error("Latchkey portal: data-page, data-publishable-key and data-api-url are needed");
    return undefined;
  }
  const latchkey = new Latchkey(publishableKey, { apiUrl });
  host.setAttribute("data-latchkey-portal", page);
  // The page is the component's alone: no margin around it (a constructable stylesheet, which
  // the portal's CSP allows where it refuses inline styles).
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(":root{color-scheme:light dark}body{margin:0}");
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  const props: ComponentProps = {
    signInUrl: sibling("sign-in"),
    signUpUrl: sibling("sign-up"),
    afterSignOutUrl: sibling("sign-in"),
  };
  const loading = latchkey.load();
  try {
    await loading;
    const redirect = pageRedirectUrl();
    // Signed in already, on the way back to the app: go there at once.
    if (page === "sign-in" && latchkey.session && redirect) {
      await redirectTo(latchkey, redirect);
      return latchkey;
    }
    // The account pages are for the signed-in: sign in first, then come back.
    if ((page === "user" || page === "organization") && !latchkey.session) {
      const back = new URL(sibling("sign-in"), location.href);
      back.searchParams.set("redirect_url", location.href);
      location.assign(back.href);
      return latchkey;
    }
  } catch {
    // The component shows why loading failed.
  }
  mountComponent(latchkey, name, host, props, "portal");
  return latchkey;
}
