// Starts an SMTP server and the latchkey server (built here unless LATCHKEY_BINARY names one)
// once for the whole suite, builds the example app against it, and hands the URL, keys, mailbox
// and app to the tests through the environment (workers start after this). Records the size of
// @latchkey/js's bundle in test-results/measurements.json.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { buildExampleApp } from "./example-app";
import { recordMeasurement } from "./fixtures";
import { startMailbox } from "./mailbox";
import { buildServer, startServer } from "./server";

/** The size of the committed browser bundle of @latchkey/js (api/assets/latchkey.js). */
function measureBundle(): void {
  const bundle = readFileSync(
    fileURLToPath(new URL("../../api/assets/latchkey.js", import.meta.url)),
  );
  recordMeasurement("latchkey-js-bundle-bytes", {
    file: "api/assets/latchkey.js",
    minified: bundle.length,
    gzip: gzipSync(bundle, { level: 9 }).length,
  });
}

/** The size of the example app's script (React, @latchkey/react and @latchkey/js, tree-shaken). */
function measureExampleApp(dist: string): void {
  const assets = join(dist, "assets");
  const scripts = readdirSync(assets).filter((name) => name.endsWith(".js"));
  const bytes = Buffer.concat(scripts.map((name) => readFileSync(join(assets, name))));
  recordMeasurement("example-app-script-bytes", {
    files: scripts.length,
    minified: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
  });
}

/**
 * Makes sure Chromium is there: Debian's package (Playwright's own download cannot work here),
 * installed with apt-get on a fresh machine, as CI does.
 */
function ensureChromium(): void {
  const path = process.env.LATCHKEY_CHROMIUM ?? "/usr/bin/chromium";
  if (existsSync(path)) return;
  if (process.env.LATCHKEY_CHROMIUM !== undefined) {
    throw new Error(`LATCHKEY_CHROMIUM names ${path}, which does not exist`);
  }
  console.log("installing chromium (apt-get install -y chromium)…");
  try {
    execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "inherit" });
  } catch {
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "inherit" });
  }
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  ensureChromium();
  measureBundle();
  const binary = process.env.LATCHKEY_BINARY ?? buildServer();
  const mailbox = await startMailbox();
  const { info, stop } = await startServer(binary, { smtpUrl: mailbox.smtpUrl });
  const dist = mkdtempSync(join(tmpdir(), "latchkey-example-"));
  await buildExampleApp(info, dist);
  measureExampleApp(dist);
  process.env.LATCHKEY_TEST_SERVER = JSON.stringify(info);
  process.env.LATCHKEY_TEST_MAILBOX = mailbox.dir;
  process.env.LATCHKEY_TEST_EXAMPLE_DIST = dist;
  return async () => {
    await stop();
    await mailbox.stop();
    rmSync(dist, { recursive: true, force: true });
  };
}
