// The components' logic that needs no browser: the appearance stylesheet, the texts and their
// placeholders, errors as forms show them, where a flow redirects, and the step in the URL.
import { afterEach, describe, expect, it, vi } from "vitest";
import { LatchkeyError } from "../../src/errors";
import { fieldName, formatWait, toFormError } from "../../src/ui/errors";
import { fill, translator } from "../../src/ui/localization/translate";
import { afterAuthUrl, linkKeepingRedirect } from "../../src/ui/redirect";
import { stepFromLocation, urlOfStep } from "../../src/ui/routing";
import { appearanceCss } from "../../src/ui/theme";
import { BASE_CSS } from "../../src/ui/theme-css";

const at = (href: string) => {
  const url = new URL(href);
  vi.stubGlobal("location", {
    href: url.href,
    origin: url.origin,
    pathname: url.pathname,
    search: url.search,
    hash: url.hash,
  });
};
afterEach(() => vi.unstubAllGlobals());

describe("appearance", () => {
  it("makes variables custom properties on :host and elements rules by part", () => {
    expect(
      appearanceCss({
        variables: { colorPrimary: "#0a7d38", borderRadius: "2px" },
        elements: { card: { borderWidth: "3px", "--x": "1" }, formButtonPrimary: { fontSize: 18 } },
      }),
    ).toBe(
      [
        ":host{--lk-color-primary:#0a7d38;--lk-border-radius:2px}",
        ':host [part~="card"]{border-width:3px;--x:1}',
        ':host [part~="formButtonPrimary"]{font-size:18}',
      ].join("\n"),
    );
  });

  it("drops what could end a declaration or open a rule, and unknown variables", () => {
    expect(
      appearanceCss({
        variables: { colorPrimary: "red;} body{color:red", fontFamily: "" } as never,
        elements: {
          'card"]{}x': { color: "red" },
          card: { color: "red}", "back ground": "x", background: "/* x */" },
        },
      }),
    ).toBe("");
    expect(appearanceCss({ variables: { nope: "1" } as never })).toBe("");
    expect(appearanceCss(undefined)).toBe("");
  });

  it("has light defaults and dark ones under prefers-color-scheme, before any appearance", () => {
    expect(BASE_CSS).toMatch(/:host \{\s+--lk-color-primary: #4f46e5;/);
    expect(BASE_CSS).toMatch(/@media \(prefers-color-scheme: dark\) \{\s+:host \{/);
  });
});

describe("texts", () => {
  it("are English unless the localization prop says otherwise, placeholders filled", () => {
    const t = translator({ signIn: { title: "Anmelden" } });
    expect(t("signIn.title")).toBe("Anmelden");
    expect(t("signUp.title")).toBe("Create your account");
    expect(t("signIn.subtitle", { name: "Acme" })).toBe("to continue to Acme");
    expect(fill("{a} and {b}", { a: 1 })).toBe("1 and {b}");
  });
});

describe("errors in forms", () => {
  const t = translator(undefined);

  it("name the field as the forms do, and our message for known codes", () => {
    expect(fieldName("email_address")).toBe("emailAddress");
    expect(fieldName("password.minLength")).toBe("password");
    const exists = toFormError(
      new LatchkeyError("IDENTIFIER_EXISTS", "emailAddress is already taken", {
        field: "emailAddress",
      }),
      t,
    );
    expect(exists).toMatchObject({ field: "emailAddress", message: "That is already taken." });
    const wrong = toFormError(new LatchkeyError("CODE_INCORRECT", "x"), t, (c) =>
      c === "CODE_INCORRECT" ? "code" : undefined,
    );
    expect(wrong).toMatchObject({ field: "code", message: "That code is not right." });
  });

  it("keep the server's words for a weak password, and a deadline for a wait", () => {
    const weak = toFormError(
      new LatchkeyError("PASSWORD_TOO_WEAK", "a password needs at least 8 characters"),
      t,
    );
    expect(weak.message).toBe("A password needs at least 8 characters.");
    const before = Date.now();
    const limited = toFormError(new LatchkeyError("RATE_LIMITED", "slow", { retryAfter: 42 }), t);
    expect(limited.message).toBe("Too many tries. Try again in {wait}.");
    expect(limited.until! - before).toBeGreaterThanOrEqual(42_000);
    expect(limited.until! - before).toBeLessThan(43_000);
    expect(formatWait(42, t)).toBe("42 seconds");
    expect(formatWait(1, t)).toBe("1 second");
    expect(formatWait(900, t)).toBe("15 minutes");
  });

  it("say something for a failure that is not Latchkey's", () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(toFormError(new TypeError("boom"), t).message).toBe(
      "Something went wrong. Please try again.",
    );
  });
});

describe("redirects", () => {
  it("go to forceRedirectUrl, else the page's redirect_url, else fallbackRedirectUrl", () => {
    at("https://app.example/sign-in?redirect_url=https%3A%2F%2Fapp.example%2Fdash");
    expect(afterAuthUrl({ forceRedirectUrl: "/f", fallbackRedirectUrl: "/b" })).toBe("/f");
    expect(afterAuthUrl({ fallbackRedirectUrl: "/b" })).toBe("https://app.example/dash");
    at("https://app.example/sign-in");
    expect(afterAuthUrl({ fallbackRedirectUrl: "/b" })).toBe("/b");
    expect(afterAuthUrl({})).toBeUndefined();
  });

  it("keep the page's redirect_url on the link between sign-in and sign-up", () => {
    at("https://auth.example/i/ins_1/sign-in?redirect_url=https%3A%2F%2Fapp.example%2F");
    expect(linkKeepingRedirect("/i/ins_1/sign-up")).toBe(
      "/i/ins_1/sign-up?redirect_url=https%3A%2F%2Fapp.example%2F",
    );
    at("https://auth.example/i/ins_1/sign-in");
    expect(linkKeepingRedirect("/i/ins_1/sign-up")).toBe("/i/ins_1/sign-up");
  });
});

describe("routing", () => {
  it("reads and writes the step in the hash or below the path", () => {
    at("https://app.example/sign-in/factor-two?x=1#/password");
    expect(stepFromLocation({ routing: "hash" })).toBe("password");
    expect(stepFromLocation({ routing: "path", path: "/sign-in" })).toBe("factor-two");
    expect(stepFromLocation({ routing: "path", path: "/other" })).toBe("");
    expect(stepFromLocation({})).toBe("");
    expect(urlOfStep({ routing: "path", path: "/sign-in/" }, "password")).toBe(
      "/sign-in/password?x=1",
    );
    expect(urlOfStep({ routing: "path", path: "/sign-in" }, "")).toBe("/sign-in?x=1");
    expect(urlOfStep({ routing: "hash" }, "password")).toBe("/sign-in/factor-two?x=1#/password");
    expect(urlOfStep({}, "password")).toBeUndefined();
  });
});
