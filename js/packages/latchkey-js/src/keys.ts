import { LatchkeyError } from "./errors";

/** Which kind of instance a publishable key names. */
export type InstanceKind = "development" | "production";

/**
 * The kind of instance a publishable key belongs to: `pk_test_…` is development, `pk_live_…`
 * production. The key names nothing else (no server): `apiUrl` is always given beside it.
 */
export function instanceKind(publishableKey: string): InstanceKind {
  if (publishableKey.startsWith("pk_live_")) return "production";
  if (publishableKey.startsWith("pk_test_")) return "development";
  throw new LatchkeyError(
    "SDK_STATE",
    `"${publishableKey.slice(0, 12)}…" is not a publishable key: it starts with pk_test_ or pk_live_`,
  );
}

// Public suffixes of two labels that sites are commonly under. Without the whole Public Suffix
// List this is an approximation: an unknown two-label suffix makes two hosts under it look
// same-site, and load() lets the server's CORS and cookie rules decide.
const TWO_LABEL_SUFFIXES = new Set([
  "co.uk",
  "org.uk",
  "ac.uk",
  "gov.uk",
  "com.au",
  "net.au",
  "org.au",
  "co.nz",
  "co.jp",
  "com.br",
  "com.cn",
  "co.in",
  "co.za",
  "com.mx",
  "com.tr",
  "github.io",
  "vercel.app",
  "netlify.app",
  "pages.dev",
  "herokuapp.com",
  "fly.dev",
  "onrender.com",
]);

/**
 * A URL's site as browsers use it for cookies: the scheme and the registrable domain
 * (`https://example.com` for `https://auth.example.com:8443`). An IP address or a one-label
 * host is its own site.
 */
export function siteOf(url: string | URL): string {
  const parsed = typeof url === "string" ? new URL(url) : url;
  const host = parsed.hostname.toLowerCase().replace(/\.$/, "");
  const scheme = parsed.protocol.replace(/:$/, "");
  if (/^[\d.]+$/.test(host) || host.includes(":") || host.startsWith("["))
    return `${scheme}://${host}`;
  const labels = host.split(".");
  const lastTwo = labels.slice(-2).join(".");
  const keep = TWO_LABEL_SUFFIXES.has(lastTwo) ? 3 : 2;
  return `${scheme}://${labels.slice(-keep).join(".")}`;
}

/** Whether two URLs are on the same site (scheme and registrable domain). */
export function sameSite(a: string | URL, b: string | URL): boolean {
  return siteOf(a) === siteOf(b);
}

/**
 * The error `load()` fails with when a production key is used from a page on another site than
 * Latchkey: the browser would hold no client for it (a production instance keeps its client in
 * its own HttpOnly cookie only, and never hands script a token).
 */
export function crossSiteProductionError(pageUrl: string, apiUrl: string): LatchkeyError {
  return new LatchkeyError(
    "CROSS_SITE_PRODUCTION",
    `A production publishable key (pk_live_…) works only when Latchkey runs on the app's own site: ` +
      `this page is on ${siteOf(pageUrl)} but apiUrl ${apiUrl} is on ${siteOf(apiUrl)}. ` +
      `Serve Latchkey from a subdomain of the app's site (for example auth.<your domain>), ` +
      `or use a development key (pk_test_…) while developing across sites.`,
  );
}
