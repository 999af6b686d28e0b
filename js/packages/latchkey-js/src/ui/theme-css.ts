// The base stylesheet of every component (adopted by each shadow root, see theme.ts). The light
// defaults sit on :host, the dark ones in a prefers-color-scheme block; `appearance.variables`
// come in a later sheet and win over both. Classes style; `part` attributes are for the host.

/** The base CSS. */
export const BASE_CSS = `
:host {
  --lk-color-primary: #4f46e5;
  --lk-color-background: #ffffff;
  --lk-color-text: #1b1e27;
  --lk-color-text-secondary: #555b6b;
  --lk-color-danger: #c0262d;
  --lk-color-input-background: #ffffff;
  --lk-color-input-text: var(--lk-color-text);
  --lk-font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  --lk-font-size: 0.9375rem;
  --lk-border-radius: 0.5rem;
  --lk-color-on-primary: #ffffff;
  --lk-color-link: var(--lk-color-primary);
  --lk-color-border: #d5d8e0;
  --lk-color-border: color-mix(in srgb, var(--lk-color-text) 20%, var(--lk-color-background));
  --lk-color-muted: #f3f4f7;
  --lk-color-muted: color-mix(in srgb, var(--lk-color-text) 5%, var(--lk-color-background));
  --lk-shadow: 0 1px 3px rgb(0 0 0 / 0.08), 0 8px 24px rgb(0 0 0 / 0.08);
  display: block;
  color-scheme: light;
}
@media (prefers-color-scheme: dark) {
  :host {
    --lk-color-primary: #5b54e8;
    --lk-color-background: #1c1f29;
    --lk-color-text: #eef0f5;
    --lk-color-text-secondary: #aab0c0;
    --lk-color-danger: #ff8f8a;
    --lk-color-input-background: #12141b;
    --lk-color-link: #aeb4ff;
    --lk-color-link: color-mix(in srgb, var(--lk-color-primary) 45%, #ffffff);
    --lk-shadow: 0 1px 3px rgb(0 0 0 / 0.4), 0 8px 24px rgb(0 0 0 / 0.35);
    color-scheme: dark;
  }
}
:host([hidden]) { display: none; }
:host([data-latchkey-modal]) { position: fixed; inset: 0; z-index: 2147483000; }
:host([data-latchkey-portal]) { min-height: 100vh; }
.lk-root {
  all: initial;
  display: block;
  font-family: var(--lk-font-family);
  font-size: var(--lk-font-size);
  line-height: 1.5;
  color: var(--lk-color-text);
  text-align: left;
  -webkit-font-smoothing: antialiased;
}
.lk-root *, .lk-root *::before, .lk-root *::after { box-sizing: border-box; }
.lk-root :focus-visible { outline: 2px solid var(--lk-color-link); outline-offset: 2px; }
.lk-card {
  width: 100%;
  max-width: 25rem;
  margin: 0 auto;
  padding: 2rem;
  background: var(--lk-color-background);
  border: 1px solid var(--lk-color-border);
  border-radius: calc(var(--lk-border-radius) * 1.5);
  box-shadow: var(--lk-shadow);
}
.lk-wide { max-width: 44rem; }
.lk-header { display: flex; flex-direction: column; align-items: center; gap: 0.25rem; margin-bottom: 1.5rem; text-align: center; }
.lk-logo { max-height: 2.5rem; max-width: 10rem; margin-bottom: 0.75rem; }
.lk-title { margin: 0; font-size: 1.25em; font-weight: 650; line-height: 1.3; color: var(--lk-color-text); }
.lk-subtitle { margin: 0; color: var(--lk-color-text-secondary); overflow-wrap: anywhere; }
.lk-form { display: flex; flex-direction: column; gap: 1rem; margin: 0; }
.lk-field { display: flex; flex-direction: column; gap: 0.375rem; }
.lk-label-row { display: flex; justify-content: space-between; align-items: baseline; gap: 0.5rem; }
.lk-label { font-weight: 550; font-size: 0.9em; color: var(--lk-color-text); }
.lk-input {
  width: 100%;
  font: inherit;
  padding: 0.55rem 0.75rem;
  color: var(--lk-color-input-text);
  background: var(--lk-color-input-background);
  border: 1px solid var(--lk-color-border);
  border-radius: var(--lk-border-radius);
  outline: none;
}
.lk-input:focus-visible {
  outline: none;
  border-color: var(--lk-color-link);
  box-shadow: 0 0 0 3px color-mix(in srgb, var(--lk-color-link) 35%, transparent);
}
.lk-input[aria-invalid="true"] { border-color: var(--lk-color-danger); }
.lk-code { letter-spacing: 0.5em; font-variant-numeric: tabular-nums; text-align: center; font-size: 1.25em; }
.lk-check { display: flex; gap: 0.5rem; align-items: center; }
.lk-check input { width: 1rem; height: 1rem; margin: 0; accent-color: var(--lk-color-primary); }
.lk-hint { margin: 0; font-size: 0.85em; color: var(--lk-color-text-secondary); }
.lk-field-error { margin: 0; font-size: 0.85em; color: var(--lk-color-danger); }
.lk-field-error:empty { display: none; }
.lk-button {
  display: inline-flex;
  align-items: center;
  justify-content: center;
  gap: 0.5rem;
  width: 100%;
  min-height: 2.5rem;
  padding: 0.5rem 1rem;
  font: inherit;
  font-weight: 600;
  border-radius: var(--lk-border-radius);
  border: 1px solid transparent;
  cursor: pointer;
}
.lk-button:disabled { opacity: 0.65; cursor: default; }
.lk-button-primary { background: var(--lk-color-primary); color: var(--lk-color-on-primary); }
.lk-button-primary:hover:not(:disabled) { filter: brightness(1.08); }
.lk-button-secondary { background: var(--lk-color-background); color: var(--lk-color-text); border-color: var(--lk-color-border); }
.lk-button-secondary:hover:not(:disabled) { background: var(--lk-color-muted); }
.lk-button-danger { background: var(--lk-color-background); color: var(--lk-color-danger); border-color: var(--lk-color-danger); }
.lk-link {
  display: inline;
  padding: 0;
  font: inherit;
  font-weight: 550;
  color: var(--lk-color-link);
  background: none;
  border: none;
  text-decoration: underline;
  text-underline-offset: 0.15em;
  cursor: pointer;
}
.lk-link:hover { text-decoration-thickness: 2px; }
.lk-link[aria-disabled="true"] { color: var(--lk-color-text-secondary); text-decoration: none; cursor: default; font-weight: 400; }
.lk-banner { margin: 0 0 1rem; padding: 0.625rem 0.75rem; border-radius: var(--lk-border-radius); font-size: 0.9em; }
.lk-banner:empty { display: none; }
.lk-banner-error { color: var(--lk-color-danger); background: color-mix(in srgb, var(--lk-color-danger) 10%, var(--lk-color-background)); border: 1px solid color-mix(in srgb, var(--lk-color-danger) 35%, var(--lk-color-background)); }
.lk-banner-success { color: var(--lk-color-text); background: var(--lk-color-muted); border: 1px solid var(--lk-color-border); }
.lk-divider { display: flex; align-items: center; gap: 0.75rem; margin: 1.25rem 0; color: var(--lk-color-text-secondary); font-size: 0.85em; }
.lk-divider::before, .lk-divider::after { content: ""; flex: 1; border-top: 1px solid var(--lk-color-border); }
.lk-footer { margin-top: 1.5rem; display: flex; flex-direction: column; align-items: center; gap: 0.5rem; text-align: center; color: var(--lk-color-text-secondary); font-size: 0.9em; }
.lk-row { display: flex; gap: 0.75rem; }
.lk-row > * { flex: 1; min-width: 0; }
.lk-actions { display: flex; flex-wrap: wrap; gap: 0.75rem; justify-content: center; }
.lk-spinner {
  display: inline-block;
  width: 1.1em;
  height: 1.1em;
  border: 2px solid currentColor;
  border-right-color: transparent;
  border-radius: 50%;
  animation: lk-spin 0.7s linear infinite;
}
.lk-center { display: flex; justify-content: center; padding: 2rem; color: var(--lk-color-text-secondary); }
@keyframes lk-spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .lk-spinner { animation-duration: 2s; } }
.lk-avatar {
  display: inline-flex;
  align-items: center;
  justify-content: center;
  flex: none;
  width: 2rem;
  height: 2rem;
  border-radius: 50%;
  overflow: hidden;
  background: var(--lk-color-primary);
  color: var(--lk-color-on-primary);
  font-weight: 600;
  font-size: 0.85em;
}
.lk-avatar img { width: 100%; height: 100%; object-fit: cover; }
.lk-avatar-large { width: 3.5rem; height: 3.5rem; font-size: 1.2em; }
.lk-popover-anchor { position: relative; display: inline-block; }
.lk-menu-button { display: inline-flex; align-items: center; gap: 0.5rem; padding: 0.25rem; font: inherit; color: var(--lk-color-text); background: none; border: none; border-radius: 999px; cursor: pointer; }
.lk-menu {
  position: absolute;
  top: calc(100% + 0.5rem);
  right: 0;
  z-index: 10;
  min-width: 15rem;
  padding: 0.375rem;
  margin: 0;
  list-style: none;
  background: var(--lk-color-background);
  border: 1px solid var(--lk-color-border);
  border-radius: var(--lk-border-radius);
  box-shadow: var(--lk-shadow);
}
.lk-menu-start { left: 0; right: auto; }
.lk-menu-item {
  display: flex;
  align-items: center;
  gap: 0.625rem;
  width: 100%;
  padding: 0.5rem 0.625rem;
  font: inherit;
  text-align: left;
  color: var(--lk-color-text);
  background: none;
  border: none;
  border-radius: calc(var(--lk-border-radius) * 0.75);
  cursor: pointer;
}
.lk-menu-item:hover, .lk-menu-item:focus-visible { background: var(--lk-color-muted); }
.lk-menu-section { padding: 0.5rem 0.625rem; border-bottom: 1px solid var(--lk-color-border); margin-bottom: 0.25rem; }
.lk-modal-backdrop {
  position: fixed;
  inset: 0;
  display: flex;
  align-items: flex-start;
  justify-content: center;
  padding: 8vh 1rem 1rem;
  overflow-y: auto;
  background: rgb(10 12 20 / 0.55);
}
.lk-modal { position: relative; width: 100%; max-width: 25rem; }
.lk-modal-wide { max-width: 44rem; }
.lk-modal-close {
  position: absolute;
  top: 0.75rem;
  right: 0.75rem;
  display: inline-flex;
  align-items: center;
  justify-content: center;
  width: 2rem;
  height: 2rem;
  padding: 0;
  font: inherit;
  font-size: 1.25em;
  line-height: 1;
  color: var(--lk-color-text-secondary);
  background: none;
  border: none;
  border-radius: 50%;
  cursor: pointer;
  z-index: 1;
}
.lk-modal-close:hover { background: var(--lk-color-muted); }
.lk-portal { display: flex; flex-direction: column; justify-content: center; min-height: 100vh; padding: 2rem 1rem; background: var(--lk-color-muted); }
.lk-visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
`;
