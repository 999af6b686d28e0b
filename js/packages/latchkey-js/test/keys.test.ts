import { describe, expect, it } from "vitest";
import { crossSiteProductionError, instanceKind, sameSite, siteOf } from "../src/keys";

describe("keys and sites", () => {
  it("tells the kind of instance from the key", () => {
    expect(instanceKind("pk_test_abc")).toBe("development");
    expect(instanceKind("pk_live_abc")).toBe("production");
    expect(() => instanceKind("sk_test_abc")).toThrow(/not a publishable key/);
  });

  it("finds a URL's site: scheme and registrable domain", () => {
    expect(siteOf("https://auth.example.com:8443/x")).toBe("https://example.com");
    expect(siteOf("https://app.shop.co.uk")).toBe("https://shop.co.uk");
    expect(siteOf("http://127.0.0.1:8080")).toBe("http://127.0.0.1");
    expect(siteOf("http://localhost:5173")).toBe("http://localhost");
  });

  it("says which pages share Latchkey's site", () => {
    expect(sameSite("https://app.example.com", "https://auth.example.com")).toBe(true);
    expect(sameSite("https://app.example.com", "https://example.org")).toBe(false);
    expect(sameSite("http://app.example.com", "https://auth.example.com")).toBe(false);
    expect(sameSite("http://localhost:5173", "http://127.0.0.1:8080")).toBe(false);
    expect(sameSite("https://a.github.io", "https://b.github.io")).toBe(false);
  });

  it("explains why a production key cannot work across sites", () => {
    const error = crossSiteProductionError("https://app.example.com/", "https://auth.other.dev");
    expect(error.code).toBe("CROSS_SITE_PRODUCTION");
    expect(error.message).toContain("only when Latchkey runs on the app's own site");
    expect(error.message).toContain("https://example.com");
    expect(error.message).toContain("https://other.dev");
  });
});
