import { describe, expect, it } from "vitest";
import type { MySession, SessionResource } from "../../src/index";
import { avatarName, displayName, otherSessions } from "../../src/ui/user-button/menu-logic";
import { relativeTime, sessionRows } from "../../src/ui/user-profile/sessions";
import {
  backupCodesText,
  deletionConfirmed,
  isHttpsUrl,
} from "../../src/ui/user-profile/validation";

const session = (id: string, lastActiveAt: string, latestActivity: MySession["latestActivity"]) =>
  ({
    id,
    status: "ACTIVE",
    lastActiveAt,
    expireAt: "2026-02-01T00:00:00Z",
    abandonAt: "2026-02-01T00:00:00Z",
    lastActiveOrganizationId: null,
    createdAt: "2026-01-01T00:00:00Z",
    latestActivity,
  }) satisfies MySession;

describe("UserButton's logic", () => {
  const email = { emailAddress: "jane@example.com" };
  it("names the user by full name, username or email", () => {
    expect(displayName({ fullName: "Jane Doe", username: "jd", primaryEmailAddress: email })).toBe(
      "Jane Doe",
    );
    expect(displayName({ fullName: null, username: null, primaryEmailAddress: email })).toBe(
      "jane@example.com",
    );
  });
  it("makes initials of names, else of the email's first letter", () => {
    expect(avatarName({ fullName: "Jane Doe", username: null, primaryEmailAddress: email })).toBe(
      "Jane Doe",
    );
    expect(avatarName({ fullName: null, username: null, primaryEmailAddress: email })).toBe("j");
    expect(avatarName({ fullName: null, username: null, primaryEmailAddress: null })).toBe("?");
  });
  it("offers the client's other active sessions to switch to", () => {
    const session = (id: string, status: string, user: object | null) =>
      ({ id, status, user }) as unknown as SessionResource;
    const jane = { fullName: "Jane" };
    const sessions = [
      session("sess_me", "ACTIVE", jane),
      session("sess_other", "ACTIVE", jane),
      session("sess_ended", "ENDED", jane),
      session("sess_nobody", "ACTIVE", null),
    ];
    expect(otherSessions(sessions, "sess_me").map((s) => s.id)).toEqual(["sess_other"]);
  });
});

describe("Active devices", () => {
  it("lists this device first, then by last activity, with what the server recorded", () => {
    const rows = sessionRows(
      [
        session("sess_old", "2026-01-01T10:00:00Z", null),
        session("sess_new", "2026-01-03T10:00:00Z", {
          browserName: "Firefox",
          browserVersion: "133",
          deviceType: "Android",
          isMobile: true,
          ipAddress: "203.0.113.9",
        }),
        session("sess_me", "2026-01-02T10:00:00Z", {
          browserName: "Chrome",
          browserVersion: null,
          deviceType: null,
          isMobile: false,
          ipAddress: null,
        }),
        { ...session("sess_gone", "2026-01-04T10:00:00Z", null), status: "REVOKED" },
      ],
      "sess_me",
    );
    expect(rows.map((r) => r.id)).toEqual(["sess_me", "sess_new", "sess_old"]);
    expect(rows[0]).toMatchObject({ browser: "Chrome", device: null, current: true });
    expect(rows[1]).toMatchObject({
      browser: "Firefox 133",
      device: "Android",
      isMobile: true,
      ipAddress: "203.0.113.9",
      current: false,
    });
    expect(rows[2]).toMatchObject({ browser: null, device: null, ipAddress: null });
  });
  it("says how long ago in words, a date past a week", () => {
    const now = new Date("2026-01-10T12:00:00Z");
    const ago = (seconds: number) =>
      relativeTime(new Date(now.getTime() - seconds * 1000), now, "en");
    expect(ago(5)).toBe("now");
    expect(ago(5 * 60)).toBe("5 minutes ago");
    expect(ago(3 * 3600)).toBe("3 hours ago");
    expect(ago(86_400)).toBe("yesterday");
    expect(ago(30 * 86_400)).toBe("Dec 11, 2025");
  });
});

describe("profile checks", () => {
  it("takes only https image URLs", () => {
    expect(isHttpsUrl("https://example.com/a.png")).toBe(true);
    expect(isHttpsUrl(" https://example.com/a.png ")).toBe(true);
    expect(isHttpsUrl("http://example.com/a.png")).toBe(false);
    expect(isHttpsUrl("javascript:alert(1)")).toBe(false);
    expect(isHttpsUrl("data:image/png;base64,AAAA")).toBe(false);
    expect(isHttpsUrl("example.com/a.png")).toBe(false);
  });
  it("confirms a deletion only with the exact phrase", () => {
    expect(deletionConfirmed("delete account", "delete account")).toBe(true);
    expect(deletionConfirmed(" delete account ", "delete account")).toBe(true);
    expect(deletionConfirmed("Delete", "delete account")).toBe(false);
  });
  it("writes the backup codes one a line", () => {
    expect(backupCodesText(["a1", "b2"], "Acme")).toBe("Acme backup codes\n\na1\nb2\n");
  });
});
