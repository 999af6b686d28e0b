// Vite for the example app. Set LATCHKEY_API_URL and LATCHKEY_PUBLISHABLE_KEY (the development
// instance's, printed by `latchkey` on first start); they reach the page as
// import.meta.env.VITE_LATCHKEY_*, and the API middleware (`/api/me`) uses them too.
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { apiMiddleware } from "./api.ts";

const apiUrl = process.env.LATCHKEY_API_URL ?? "http://127.0.0.1:8080";
const publishableKey = process.env.LATCHKEY_PUBLISHABLE_KEY ?? "";
const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Serves `/api/me` from the dev and preview servers. */
function api(): Plugin {
  const middleware = apiMiddleware({ apiUrl, publishableKey });
  return {
    name: "latchkey-example-api",
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
  };
}

export default defineConfig({
  plugins: [api()],
  define: {
    "import.meta.env.VITE_LATCHKEY_API_URL": JSON.stringify(apiUrl),
    "import.meta.env.VITE_LATCHKEY_PUBLISHABLE_KEY": JSON.stringify(publishableKey),
  },
  resolve: {
    // The workspace's packages from source (their dist/ is built only for publishing).
    alias: {
      "@latchkey/js": source("../../packages/latchkey-js/src/index.ts"),
      "@latchkey/react": source("../../packages/react/src/index.ts"),
    },
  },
  server: { host: "localhost", port: 5173 },
  build: { outDir: process.env.LATCHKEY_EXAMPLE_OUT_DIR ?? "dist", emptyOutDir: true },
});
