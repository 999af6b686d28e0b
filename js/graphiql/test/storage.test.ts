import { describe, expect, it } from "vitest";
import { headerlessStorage } from "../src/storage";

function memory(): Storage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    get length() {
      return map.size;
    },
    key: (i) => [...map.keys()][i] ?? null,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
    clear: () => map.clear(),
  };
}

describe("GraphiQL's storage", () => {
  it("never writes a header, wherever it is in a value", () => {
    const backing = memory();
    const storage = headerlessStorage(backing);
    storage.setItem(
      "graphiql:queries",
      JSON.stringify({
        queries: [{ query: "{ a }", headers: '{"Authorization":"Bearer sk_test_x"}' }],
      }),
    );
    storage.setItem("graphiql:headers", '{"Authorization":"Bearer sk_test_x"}');
    storage.setItem("graphiql:shouldPersistHeaders", "false");
    storage.setItem("graphiql:query", "{ a }");
    expect([...backing.map.values()].join()).not.toContain("sk_test_x");
    expect(JSON.parse(backing.map.get("graphiql:queries")!)).toEqual({
      queries: [{ query: "{ a }", headers: null }],
    });
    expect(backing.map.has("graphiql:headers")).toBe(false);
    expect(storage.getItem("graphiql:shouldPersistHeaders")).toBe("false");
    expect(storage.getItem("graphiql:query")).toBe("{ a }");
  });
});
