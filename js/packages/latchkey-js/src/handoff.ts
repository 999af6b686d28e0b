// The handoff code of a redirect back from Latchkey's own pages (the Account Portal) to a
// development app on another site: `?__latchkey_handoff=…`, taken from the address bar once.

/** The query parameter that carries a handoff code. */
export const HANDOFF_PARAM = "__latchkey_handoff";

/** The little of `window` that taking the code needs (injectable for tests). */
export interface AddressBar {
  readonly location: { readonly href: string };
  readonly history: {
    readonly state: unknown;
    replaceState(data: unknown, unused: string, url: string): void;
  };
}

/**
 * The handoff code in the page's URL, if any, removed from the address bar at once (the rest of
 * the query and the fragment stay), so that a reload or a shared link never carries it again.
 */
export function takeHandoffCode(bar: AddressBar | undefined): string | null {
  if (!bar || !bar.location.href.startsWith("http")) return null;
  const url = new URL(bar.location.href);
  const code = url.searchParams.get(HANDOFF_PARAM);
  if (code === null) return null;
  url.searchParams.delete(HANDOFF_PARAM);
  bar.history.replaceState(bar.history.state, "", url.toString());
  return code || null;
}

/** The browser's address bar, where there is one. */
export function browserAddressBar(): AddressBar | undefined {
  return typeof window !== "undefined" && typeof window.history?.replaceState === "function"
    ? window
    : undefined;
}
