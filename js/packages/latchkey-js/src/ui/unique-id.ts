// Ids unique in the page. Preact's `useId` restarts its count for components mounted after the
// first render of a root that is rendered again from the top (mount.ts renders on every
// snapshot), so a form opened later could get the id of an input already there and its
// `<label for>` would name the wrong input.
import { useState } from "preact/hooks";

let counter = 0;

/** An id unique in the page, kept for the component's life. */
export function useUniqueId(): string {
  return useState(() => `lk-u${++counter}`)[0];
}
