import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@latchkey/js": new URL("./packages/latchkey-js/src/index.ts", import.meta.url).pathname,
      "@latchkey/backend": new URL("./packages/backend/src/index.ts", import.meta.url).pathname,
    },
  },
  test: {
    include: ["packages/*/test/**/*.test.{ts,tsx}", "graphiql/test/**/*.test.ts"],
    environment: "node",
  },
});
