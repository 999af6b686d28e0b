/** Hosts where cookies go without `Secure` (browsers treat them as secure contexts over http). */
function isLocalHost(hostname: string): boolean {
  return (
    hostname === "localhost" ||
    hostname === "127.0.0.1" ||
    hostname === "[::1]" ||
    hostname.endsWith(".localhost")
  );
}

function attributes(hostname: string): string {
  return `; Path=/; SameSite=Lax${isLocalHost(hostname) ? "" : "; Secure"}`;
}

/**
 * The `__session` cookie that carries the current session token to the app's own server:
 * host-only (no `Domain`), `Path=/`, `SameSite=Lax`, `Secure` except on localhost, and gone when
 * the token expires. `null` clears it.
 */
export function sessionCookie(jwt: string | null, expiresAt: number, hostname: string): string {
  if (jwt === null) return `__session=${attributes(hostname)}; Max-Age=0`;
  return `__session=${jwt}${attributes(hostname)}; Expires=${new Date(expiresAt).toUTCString()}`;
}

/**
 * The `__client_uat` marker: the seconds of the client's last sign-in or sign-out (0 when signed
 * out), which the app's server compares with its `__session` to know when to renew it. Kept for
 * a year.
 */
export function clientUatCookie(seconds: number, hostname: string): string {
  return `__client_uat=${Math.floor(seconds)}${attributes(hostname)}; Max-Age=31536000`;
}

/** Writes cookies on the page's own host; does nothing outside a browser. */
export class CookieJar {
  /** Writes to `document.cookie` when there is a document. */
  write(cookie: string): void {
    if (typeof document !== "undefined") document.cookie = cookie;
  }

  /** The page's host name, or `localhost` outside a browser. */
  get hostname(): string {
    return typeof location !== "undefined" ? location.hostname : "localhost";
  }

  /** The value of a cookie of this page, if set. */
  read(name: string): string | undefined {
    if (typeof document === "undefined") return undefined;
    for (const part of document.cookie.split(";")) {
      const [key, ...value] = part.trim().split("=");
      if (key === name) return value.join("=");
    }
    return undefined;
  }
}
