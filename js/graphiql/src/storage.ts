/**
 * GraphiQL's storage with every header removed before anything is written: `shouldPersistHeaders`
 * keeps them out of the tabs, but GraphiQL 4's history still saved each query's headers (a
 * secret key, in `graphiql:queries`). Values are JSON; any `headers` field in them is nulled,
 * and a key that is itself about headers is never written.
 */
export function headerlessStorage(backing: Storage): Storage {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value !== "object" || value === null) return value;
    const copy: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value))
      copy[key] = key === "headers" ? null : strip(inner);
    return copy;
  };
  return {
    get length() {
      return backing.length;
    },
    key: (index) => backing.key(index),
    getItem: (key) => backing.getItem(key),
    removeItem: (key) => backing.removeItem(key),
    clear: () => backing.clear(),
    setItem(key, value) {
      if (/:headers$/.test(key)) return;
      let stored = value;
      try {
        stored = JSON.stringify(strip(JSON.parse(value)));
      } catch {
        // Not JSON (a plain string such as a boolean flag): no headers in it.
      }
      backing.setItem(key, stored);
    },
  };
}
