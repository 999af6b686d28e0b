import { describe, expect, it } from "vitest";
import { clientUatCookie, sessionCookie } from "../src/cookies";

describe("cookies", () => {
  const expires = Date.UTC(2030, 0, 2, 3, 4, 5);

  it("writes __session host-only, Lax, Secure off localhost, expiring with the token", () => {
    expect(sessionCookie("a.b.c", expires, "app.example.com")).toBe(
      "__session=a.b.c; Path=/; SameSite=Lax; Secure; Expires=Wed, 02 Jan 2030 03:04:05 GMT",
    );
    expect(sessionCookie("a.b.c", expires, "app.example.com")).not.toContain("Domain");
  });

  it("leaves Secure off on localhost and 127.0.0.1", () => {
    for (const host of ["localhost", "127.0.0.1"]) {
      expect(sessionCookie("t", expires, host)).toBe(
        "__session=t; Path=/; SameSite=Lax; Expires=Wed, 02 Jan 2030 03:04:05 GMT",
      );
    }
  });

  it("clears __session", () => {
    expect(sessionCookie(null, 0, "localhost")).toBe("__session=; Path=/; SameSite=Lax; Max-Age=0");
  });

  it("writes __client_uat in whole seconds, 0 when signed out", () => {
    expect(clientUatCookie(1_700_000_000.9, "app.example.com")).toBe(
      "__client_uat=1700000000; Path=/; SameSite=Lax; Secure; Max-Age=31536000",
    );
    expect(clientUatCookie(0, "localhost")).toBe(
      "__client_uat=0; Path=/; SameSite=Lax; Max-Age=31536000",
    );
  });
});
