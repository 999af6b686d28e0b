// UserProfile's own stylesheet (and UserButton's few rules), adopted by the shadow root the
// component renders in, after the base sheet: a constructable stylesheet, as the base one is.
import { useRef } from "preact/hooks";
import { useComponentSheet } from "../theme";

const CSS = `
.lk-profile { display: flex; flex-direction: column; gap: 0; }
.lk-section { padding: 1.25rem 0; border-top: 1px solid var(--lk-color-border); }
.lk-section:first-child { border-top: none; padding-top: 0; }
.lk-section-title { margin: 0 0 0.75rem; font-size: 1em; font-weight: 650; color: var(--lk-color-text); }
.lk-section-text { margin: 0 0 0.75rem; color: var(--lk-color-text-secondary); font-size: 0.9em; }
.lk-list { list-style: none; margin: 0 0 0.75rem; padding: 0; display: flex; flex-direction: column; gap: 0.5rem; }
.lk-item { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 0.75rem; padding: 0.625rem 0.75rem; border: 1px solid var(--lk-color-border); border-radius: var(--lk-border-radius); }
.lk-item-main { flex: 1 1 14rem; min-width: 0; display: flex; flex-direction: column; gap: 0.125rem; overflow-wrap: anywhere; }
.lk-item-title { font-weight: 600; display: flex; flex-wrap: wrap; gap: 0.375rem; align-items: center; }
.lk-item-detail { font-size: 0.85em; color: var(--lk-color-text-secondary); }
.lk-item-actions { display: flex; flex-wrap: wrap; gap: 0.5rem; }
.lk-item-actions .lk-button, .lk-inline-actions .lk-button { width: auto; min-height: 2.125rem; padding: 0.25rem 0.75rem; font-size: 0.9em; }
.lk-item-wide { flex-basis: 100%; }
.lk-badge { display: inline-block; padding: 0 0.45rem; font-size: 0.75em; font-weight: 600; line-height: 1.6; border-radius: 999px; color: var(--lk-color-text); background: var(--lk-color-muted); border: 1px solid var(--lk-color-border); }
.lk-badge-primary { color: var(--lk-color-on-primary); background: var(--lk-color-primary); border-color: var(--lk-color-primary); }
.lk-inline-actions { display: flex; flex-wrap: wrap; gap: 0.5rem; }
.lk-profile-head { display: flex; align-items: center; gap: 1rem; margin-bottom: 1rem; }
.lk-panel { margin: 0 0 0.75rem; padding: 1rem; border: 1px solid var(--lk-color-border); border-radius: var(--lk-border-radius); background: var(--lk-color-muted); }
.lk-panel .lk-form { gap: 0.75rem; }
.lk-panel-title { margin: 0 0 0.25rem; font-size: 0.95em; font-weight: 650; }
.lk-panel-danger { border-color: var(--lk-color-danger); }
.lk-qr { display: block; width: 11rem; height: 11rem; margin: 0.5rem 0; border-radius: 0.25rem; }
.lk-secret { display: block; margin: 0 0 0.75rem; padding: 0.5rem 0.625rem; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; letter-spacing: 0.08em; overflow-wrap: anywhere; background: var(--lk-color-background); border: 1px solid var(--lk-color-border); border-radius: var(--lk-border-radius); user-select: all; }
.lk-codes { display: grid; grid-template-columns: repeat(auto-fill, minmax(8rem, 1fr)); gap: 0.375rem; margin: 0.5rem 0 0.75rem; padding: 0; list-style: none; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.lk-codes li { padding: 0.25rem 0.5rem; background: var(--lk-color-background); border: 1px solid var(--lk-color-border); border-radius: 0.25rem; text-align: center; }
.lk-user-button-name { font-weight: 550; }
.lk-user-button .lk-menu { max-width: min(20rem, calc(100vw - 2rem)); }
.lk-user-button .lk-menu-item span { min-width: 0; overflow-wrap: anywhere; }
.lk-menu-user { display: flex; align-items: center; gap: 0.625rem; min-width: 0; }
.lk-menu-user-text { display: flex; flex-direction: column; min-width: 0; overflow-wrap: anywhere; }
.lk-menu-user-email { font-size: 0.85em; color: var(--lk-color-text-secondary); }
.lk-menu-group { padding: 0.375rem 0.625rem 0.125rem; font-size: 0.75em; font-weight: 600; color: var(--lk-color-text-secondary); text-transform: uppercase; letter-spacing: 0.04em; }
`;

/**
 * Adopts the user components' sheet into the shadow root they render in; answers the ref to put
 * on the component's root element.
 */
export function useUserStyles<T extends Element>() {
  const ref = useRef<T>(null);
  useComponentSheet(CSS, ref);
  return ref;
}
