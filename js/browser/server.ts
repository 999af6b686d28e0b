// Builds and starts the real latchkey binary for the browser suite: a fresh SQLite database in a
// temporary directory, a free port, and the development instance's keys read from what the first
// start prints.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** What the tests need to know of a running server. */
export interface ServerInfo {
  url: string;
  publishableKey: string;
  secretKey: string;
  adminToken: string;
}

const REPO = fileURLToPath(new URL("../..", import.meta.url));

/** `cargo build -p latchkey-api --bin latchkey` (quick when nothing changed). */
export function buildServer(): string {
  execFileSync("cargo", ["build", "-p", "latchkey-api", "--bin", "latchkey"], {
    cwd: REPO,
    stdio: ["ignore", "inherit", "inherit"],
  });
  return join(REPO, "target", "debug", "latchkey");
}

/** The suite's environment less its own `LATCHKEY_*` variables (the server warns of unknown ones). */
function serverEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { RUST_LOG: process.env.RUST_LOG ?? "warn" };
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("LATCHKEY_") && name !== "RUST_LOG") env[name] = value;
  }
  return env;
}

/**
 * Starts the binary and resolves once it listens and printed the development instance's keys;
 * `smtpUrl` sends its mail there (else mail goes to its log).
 */
export function startServer(
  binary: string,
  options: { smtpUrl?: string } = {},
): Promise<{ info: ServerInfo; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-browser-"));
  const adminToken = `lk_admin_browser_${Math.random().toString(36).slice(2)}`;
  const child: ChildProcess = spawn(
    binary,
    [
      "serve",
      "--bind",
      "127.0.0.1:0",
      "--database-url",
      `sqlite://${dir}/db?mode=rwc`,
      "--admin-token",
      adminToken,
      ...(options.smtpUrl ? ["--smtp-url", options.smtpUrl] : []),
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: serverEnvironment(),
    },
  );
  let printed = "";
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((done) => child.once("exit", done));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`latchkey did not start in 60 s:\n${printed}`)),
      60_000,
    );
    child.stderr?.on(
      "data",
      (chunk) => process.env.LATCHKEY_SERVER_LOG && process.stderr.write(chunk),
    );
    child.on("exit", (code) =>
      reject(new Error(`latchkey exited (${code}) before listening:\n${printed}`)),
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
      const url = printed.match(/listening on (http:\/\/[\d.:]+)/)?.[1];
      const publishableKey = printed.match(/Publishable key: (pk_test_\S+)/)?.[1];
      const secretKey = printed.match(/Secret key:\s+(sk_test_\S+)/)?.[1];
      if (url && publishableKey && secretKey) {
        clearTimeout(timer);
        resolvePromise({ info: { url, publishableKey, secretKey, adminToken }, stop });
      }
    });
  });
}
