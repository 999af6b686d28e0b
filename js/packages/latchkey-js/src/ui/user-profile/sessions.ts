// How a session of the user is described in Active devices.
import type { MySession } from "../../index";

/** One row of Active devices. */
export interface SessionRow {
  id: string;
  /** "Chrome 131", or `null` when the server recorded no browser. */
  browser: string | null;
  /** "Linux", "iPhone", … or `null`. */
  device: string | null;
  isMobile: boolean;
  ipAddress: string | null;
  lastActiveAt: Date;
  /** The session this browser is signed in with. */
  current: boolean;
}

/**
 * The user's active sessions as rows: this device's first, then the most recently active;
 * `latestActivity` may be null (a server that records none, or an older session).
 */
export function sessionRows(
  sessions: readonly MySession[],
  currentId: string | null,
): SessionRow[] {
  return sessions
    .filter((s) => s.status === "ACTIVE")
    .map((s) => {
      const activity = s.latestActivity ?? null;
      const browser = activity?.browserName
        ? [activity.browserName, activity.browserVersion].filter(Boolean).join(" ")
        : null;
      return {
        id: s.id,
        browser,
        device: activity?.deviceType ?? null,
        isMobile: activity?.isMobile ?? false,
        ipAddress: activity?.ipAddress ?? null,
        lastActiveAt: new Date(s.lastActiveAt),
        current: s.id === currentId,
      };
    })
    .sort(
      (a, b) =>
        Number(b.current) - Number(a.current) ||
        b.lastActiveAt.getTime() - a.lastActiveAt.getTime(),
    );
}

/**
 * "just now", "5 minutes ago", "3 hours ago", "2 days ago", or the date for anything older
 * than a week (in the page's locale).
 */
export function relativeTime(when: Date, now: Date, locale?: string): string {
  const seconds = Math.round((now.getTime() - when.getTime()) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  if (seconds < 60) return format.format(0, "second");
  if (seconds < 3600) return format.format(-Math.floor(seconds / 60), "minute");
  if (seconds < 86_400) return format.format(-Math.floor(seconds / 3600), "hour");
  if (seconds < 7 * 86_400) return format.format(-Math.floor(seconds / 86_400), "day");
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(when);
}
