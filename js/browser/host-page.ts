// A host page for the component specs: served on http://localhost:<port> (another site than the
// server), with @latchkey/js built fresh from the sources (the specs test the components as they
// are, whatever bundle the server binary embeds) at /latchkey.js.
import { build } from "esbuild";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

const JS = fileURLToPath(new URL("..", import.meta.url));
let bundle: Promise<string> | undefined;

/** The browser bundle (window.Latchkey with the components), built once per worker. */
function latchkeyBundle(): Promise<string> {
  bundle ??= build({
    absWorkingDir: JS,
    entryPoints: ["packages/latchkey-js/src/browser.ts"],
    bundle: true,
    minify: true,
    format: "iife",
    target: ["es2020", "chrome100"],
    jsx: "automatic",
    jsxImportSource: "preact",
    write: false,
    logLevel: "warning",
  }).then((result) => result.outputFiles[0]!.text);
  return bundle;
}

/** Serves `html` (any path) and /latchkey.js; resolves with its URL, origin and a stop. */
export async function startHostPage(
  html: string,
): Promise<{ url: string; origin: string; stop: () => Promise<void> }> {
  const script = await latchkeyBundle();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/favicon.ico") return void res.writeHead(204).end();
    if (path === "/latchkey.js")
      return void res.writeHead(200, { "content-type": "text/javascript" }).end(script);
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  const origin = `http://localhost:${port}`;
  return {
    url: `${origin}/`,
    origin,
    stop: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
