// Builds the server, starts it once for the whole suite, and hands its URL and keys to the
// tests through the environment (workers start after this).
import { buildServer, startServer } from "./server";

export default async function globalSetup(): Promise<() => Promise<void>> {
  const binary = process.env.LATCHKEY_BINARY ?? buildServer();
  const { info, stop } = await startServer(binary);
  process.env.LATCHKEY_TEST_SERVER = JSON.stringify(info);
  return stop;
}
