// Starts an SMTP server and the latchkey server (built here unless LATCHKEY_BINARY names one)
// once for the whole suite, builds the example app against it, and hands the URL, keys, mailbox
// and app to the tests through the environment (workers start after this).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildExampleApp } from "./example-app";
import { startMailbox } from "./mailbox";
import { buildServer, startServer } from "./server";

export default async function globalSetup(): Promise<() => Promise<void>> {
  const binary = process.env.LATCHKEY_BINARY ?? buildServer();
  const mailbox = await startMailbox();
  const { info, stop } = await startServer(binary, { smtpUrl: mailbox.smtpUrl });
  const dist = mkdtempSync(join(tmpdir(), "latchkey-example-"));
  await buildExampleApp(info, dist);
  process.env.LATCHKEY_TEST_SERVER = JSON.stringify(info);
  process.env.LATCHKEY_TEST_MAILBOX = mailbox.dir;
  process.env.LATCHKEY_TEST_EXAMPLE_DIST = dist;
  return async () => {
    await stop();
    await mailbox.stop();
    rmSync(dist, { recursive: true, force: true });
  };
}
