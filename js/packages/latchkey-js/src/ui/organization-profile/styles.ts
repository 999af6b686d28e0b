// The organization components' own styles (tables, sections, the switcher's list): one
// constructable stylesheet, adopted by the shadow root they render in, before the appearance
// sheet so `appearance.elements` still wins.
import { useComponentSheet } from "../theme";

/** The CSS of the organization components (classes `lk-org-…`). */
export const ORGANIZATION_CSS = `
.lk-org-section { display: flex; flex-direction: column; gap: 0.75rem; padding: 1.25rem 0; border-top: 1px solid var(--lk-color-border); }
.lk-org-section:first-of-type { border-top: none; padding-top: 0; }
.lk-org-section-title { margin: 0; font-size: 1em; font-weight: 650; color: var(--lk-color-text); }
.lk-org-subtitle { margin: 0.5rem 0 0; font-size: 0.9em; font-weight: 600; color: var(--lk-color-text-secondary); }
.lk-org-section .lk-input:disabled { background: var(--lk-color-muted); color: var(--lk-color-text-secondary); }
.lk-form > .lk-banner { margin: 0; }
.lk-org-stack { display: flex; flex-direction: column; gap: 0.75rem; }
.lk-org-note { margin: 0; font-size: 0.9em; color: var(--lk-color-text-secondary); }
.lk-org-scroll { overflow-x: auto; }
.lk-org-table { width: 100%; border-collapse: collapse; font-size: 0.9em; }
.lk-org-table th { text-align: left; font-weight: 600; font-size: 0.85em; color: var(--lk-color-text-secondary); padding: 0.375rem 0.5rem; border-bottom: 1px solid var(--lk-color-border); }
.lk-org-table td { padding: 0.5rem; border-bottom: 1px solid var(--lk-color-border); vertical-align: middle; }
.lk-org-table tr:last-child td { border-bottom: none; }
.lk-org-who { display: flex; align-items: center; gap: 0.625rem; min-width: 0; }
.lk-org-who > span:last-child { display: flex; flex-direction: column; min-width: 0; }
.lk-org-name { font-weight: 600; overflow-wrap: anywhere; }
.lk-org-sub { color: var(--lk-color-text-secondary); font-size: 0.9em; overflow-wrap: anywhere; }
.lk-org-select { width: auto; min-width: 8rem; padding: 0.35rem 0.5rem; }
.lk-org-inline { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 0.75rem; }
.lk-org-inline .lk-input { height: 2.625rem; }
.lk-org-plus { display: inline-flex; justify-content: center; width: 2rem; font-weight: 600; }
.lk-org-inline > .lk-field { flex: 1 1 12rem; }
.lk-org-inline > .lk-button { width: auto; }
.lk-org-table .lk-button, .lk-org-small, .lk-org-invite .lk-button, .lk-org-confirm .lk-button, .lk-org-section > .lk-button-danger { width: auto; min-height: 2rem; padding: 0.25rem 0.75rem; font-size: 0.9em; }
.lk-org-confirm { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
.lk-org-trigger { display: inline-flex; align-items: center; gap: 0.5rem; max-width: 16rem; padding: 0.25rem 0.5rem 0.25rem 0.25rem; }
.lk-org-trigger-name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.lk-org-chevron { color: var(--lk-color-text-secondary); font-size: 0.8em; }
.lk-org-chevron::after { content: "\\25BE"; }
.lk-org-avatar { border-radius: calc(var(--lk-border-radius) * 0.75); }
.lk-org-avatar::before { content: attr(data-initials); }
.lk-org-avatar:has(img)::before { content: none; }
.lk-org-square { border-radius: calc(var(--lk-border-radius) * 0.75); }
.lk-org-panel { display: flex; flex-direction: column; min-width: 18rem; max-width: 22rem; }
.lk-org-current { display: flex; flex-direction: column; gap: 0.5rem; padding: 0.5rem 0.625rem 0.75rem; border-bottom: 1px solid var(--lk-color-border); margin-bottom: 0.25rem; }
.lk-org-list { display: flex; flex-direction: column; margin: 0; padding: 0; list-style: none; }
.lk-org-heading { margin: 0; padding: 0.5rem 0.625rem 0.25rem; font-size: 0.8em; font-weight: 600; color: var(--lk-color-text-secondary); text-transform: uppercase; letter-spacing: 0.04em; }
.lk-org-invite { display: flex; align-items: center; gap: 0.5rem; padding: 0.375rem 0.625rem; font-size: 0.9em; }
.lk-org-invite > span { flex: 1; min-width: 0; overflow-wrap: anywhere; }
.lk-org-foot { border-top: 1px solid var(--lk-color-border); margin-top: 0.25rem; padding-top: 0.25rem; }
.lk-org-panel .lk-banner { margin: 0.5rem; }
`;

/** Adopts the organization components' sheet into the shadow root `ref`'s element is in. */
export function useOrganizationStyles(ref: { current: Element | null }): void {
  useComponentSheet(ORGANIZATION_CSS, ref);
}
