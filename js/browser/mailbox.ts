// A real SMTP server for the suite (the `smtp-server` package): latchkey sends its mail here
// (`--smtp-url smtp://127.0.0.1:<port>`), and each message lands as a file in a directory the
// tests read (they run in other processes than global-setup).
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";

/** Starts the SMTP server; resolves with its URL, the mailbox directory and a stop. */
export async function startMailbox(): Promise<{
  smtpUrl: string;
  dir: string;
  stop: () => Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-mail-"));
  let count = 0;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const to = session.envelope.rcptTo.map((r) => r.address).join(", ");
        const name = `${Date.now()}-${++count}`;
        const text = `X-Envelope-To: ${to}\r\n${Buffer.concat(chunks).toString("utf8")}`;
        writeFileSync(join(dir, `${name}.tmp`), text);
        renameSync(join(dir, `${name}.tmp`), join(dir, `${name}.eml`));
        callback();
      });
    },
  });
  await new Promise<void>((done) => smtp.listen(0, "127.0.0.1", done));
  const { port } = smtp.server.address() as AddressInfo;
  return {
    smtpUrl: `smtp://127.0.0.1:${port}`,
    dir,
    stop: async () => {
      await new Promise<void>((done) => smtp.close(() => done()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The messages received so far for `address` (raw, with an `X-Envelope-To` line first). */
export function messagesTo(dir: string, address: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".eml"))
    .sort()
    .map((name) => readFileSync(join(dir, name), "utf8"))
    .filter((text) => text.startsWith(`X-Envelope-To: ${address}`));
}

/** The body of a message with quoted-printable and base64 parts decoded, enough to read a code. */
export function decodedBody(raw: string): string {
  const parts = raw.split(/\r?\n--[^\r\n]+\r?\n/);
  return parts
    .map((part) => {
      const [head = "", ...rest] = part.split(/\r?\n\r?\n/);
      const body = rest.join("\n\n");
      if (/content-transfer-encoding:\s*base64/i.test(head))
        return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
      if (/content-transfer-encoding:\s*quoted-printable/i.test(head))
        return body
          .replace(/=\r?\n/g, "")
          .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      return body;
    })
    .join("\n");
}
