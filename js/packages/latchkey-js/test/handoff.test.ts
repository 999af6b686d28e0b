import { describe, expect, it } from "vitest";
import { type AddressBar, takeHandoffCode } from "../src/handoff";

/** An address bar at `href` that records what replaced it. */
function bar(href: string): AddressBar & { replaced: string[] } {
  const replaced: string[] = [];
  return {
    replaced,
    location: { href },
    history: { state: { kept: true }, replaceState: (_data, _unused, url) => replaced.push(url) },
  };
}

describe("takeHandoffCode", () => {
  it("takes the code and leaves the rest of the query and the fragment", () => {
    const page = bar("http://localhost:5173/after?tab=2&__latchkey_handoff=lkh_abc#top");
    expect(takeHandoffCode(page)).toBe("lkh_abc");
    expect(page.replaced).toEqual(["http://localhost:5173/after?tab=2#top"]);
  });

  it("leaves a page without a code alone", () => {
    const page = bar("http://localhost:5173/after?tab=2");
    expect(takeHandoffCode(page)).toBeNull();
    expect(page.replaced).toEqual([]);
    expect(takeHandoffCode(undefined)).toBeNull();
  });

  it("removes an empty code without redeeming it", () => {
    const page = bar("http://localhost:5173/?__latchkey_handoff=");
    expect(takeHandoffCode(page)).toBeNull();
    expect(page.replaced).toEqual(["http://localhost:5173/"]);
  });
});
