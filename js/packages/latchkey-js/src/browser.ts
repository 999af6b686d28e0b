// The entry of the browser bundle served as /latchkey.js: `window.Latchkey` is the class, with
// `window.Latchkey.LatchkeyError` beside it. On an Account Portal page (an element
// #latchkey-portal) it also boots the portal (ui/portal.ts).
import { LatchkeyError, isLatchkeyError } from "./errors";
import { Latchkey } from "./latchkey";
import { bootPortal } from "./ui/portal";

Object.assign(Latchkey, { LatchkeyError, isLatchkeyError });
(globalThis as { Latchkey?: unknown }).Latchkey = Latchkey;

if (typeof document !== "undefined") {
  const boot = () => {
    bootPortal().catch((error: unknown) => console.error("Latchkey portal:", error));
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
}
