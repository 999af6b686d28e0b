// The entry of the browser bundle served as /latchkey.js: `window.Latchkey` is the class, with
// `window.Latchkey.LatchkeyError` beside it.
import { LatchkeyError, isLatchkeyError } from "./errors";
import { Latchkey } from "./latchkey";

Object.assign(Latchkey, { LatchkeyError, isLatchkeyError });
(globalThis as { Latchkey?: unknown }).Latchkey = Latchkey;
