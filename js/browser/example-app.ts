// The example app (js/examples/react-app) for the suite: built once by global-setup with Vite
// against the test server, then served per test on http://localhost:<port> (another site than
// the server on 127.0.0.1) with its API (`/api/me`, which verifies session tokens).
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { apiMiddleware } from "../examples/react-app/api";
import type { ServerInfo } from "./server";

const APP = fileURLToPath(new URL("../examples/react-app", import.meta.url));

/** Builds the example app for `info`'s server into `outDir` (Vite's production build). */
export async function buildExampleApp(info: ServerInfo, outDir: string): Promise<void> {
  process.env.LATCHKEY_API_URL = info.url;
  process.env.LATCHKEY_PUBLISHABLE_KEY = info.publishableKey;
  process.env.LATCHKEY_EXAMPLE_OUT_DIR = outDir;
  process.env.VITE_CONFIG_NATIVE_IGNORE_WARNING = "true";
  const { build } = await import("vite");
  await build({ root: APP, logLevel: "warn" });
  for (const name of ["LATCHKEY_API_URL", "LATCHKEY_PUBLISHABLE_KEY", "LATCHKEY_EXAMPLE_OUT_DIR"])
    delete process.env[name];
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
};

/** Serves the built app from `dist` and its API; resolves with its URL and a stop. */
export async function startExampleApp(
  info: ServerInfo,
  dist: string,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const api = apiMiddleware({ apiUrl: info.url, publishableKey: info.publishableKey });
  const server: Server = createServer((req, res) => {
    void api(req, res, async () => {
      const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
      const file = path.startsWith("/assets/") ? join(dist, path) : join(dist, "index.html");
      try {
        const body = await readFile(file);
        res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/`,
    stop: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
