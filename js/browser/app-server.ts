// A stand-in for the customer's app: a page on http://localhost:<port> (another site than the
// server on 127.0.0.1) that loads the SDK from the server's /latchkey.js.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Serves one page that loads `${apiUrl}/latchkey.js`; resolves with its URL and a stop. */
export async function startAppServer(
  apiUrl: string,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>app</title>
<script src="${apiUrl}/latchkey.js"></script></head><body><p id="app">app</p></body></html>`;
  const server: Server = createServer((req, res) => {
    if (req.url === "/favicon.ico") {
      res.writeHead(204).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/`,
    stop: () => new Promise((done) => server.close(() => done())),
  };
}
