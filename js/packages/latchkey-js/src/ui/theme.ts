// The components' look: the base stylesheet (light and dark defaults as CSS custom properties on
// the shadow host) and the stylesheet made of the `appearance` prop. Both are constructable
// stylesheets adopted by each shadow root: no <style> element, no style attribute (the Account
// Portal's CSP has no 'unsafe-inline').
import { useLayoutEffect } from "preact/hooks";
import type { Appearance, AppearanceVariables } from "./props";
import { BASE_CSS } from "./theme-css";

/** The custom property each appearance variable sets. */
export const VARIABLES: Record<keyof AppearanceVariables, string> = {
  colorPrimary: "--lk-color-primary",
  colorBackground: "--lk-color-background",
  colorText: "--lk-color-text",
  colorTextSecondary: "--lk-color-text-secondary",
  colorDanger: "--lk-color-danger",
  colorInputBackground: "--lk-color-input-background",
  colorInputText: "--lk-color-input-text",
  fontFamily: "--lk-font-family",
  fontSize: "--lk-font-size",
  borderRadius: "--lk-border-radius",
};

let base: CSSStyleSheet | undefined;

/** The base stylesheet, made once per page and shared by every shadow root. */
export function baseSheet(): CSSStyleSheet {
  if (!base) {
    base = new CSSStyleSheet();
    base.replaceSync(BASE_CSS);
  }
  return base;
}

/** A value safe inside one declaration (nothing that could end it or open a block). */
const safe = (value: string | number): string | undefined => {
  const text = String(value).trim();
  return text === "" || /[{};<>]|\/\*/.test(text) ? undefined : text;
};

const kebab = (name: string): string =>
  name.startsWith("--") ? name : name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * The CSS of an `appearance`: variables on `:host` (after the defaults, so they win in light and
 * dark), and one rule per element key matching its `part`.
 */
export function appearanceCss(appearance: Appearance | undefined): string {
  if (!appearance) return "";
  const rules: string[] = [];
  const vars = Object.entries(appearance.variables ?? {}).flatMap(([name, value]) => {
    const property = VARIABLES[name as keyof AppearanceVariables];
    const text = value === undefined ? undefined : safe(value);
    return property && text ? [`${property}:${text}`] : [];
  });
  if (vars.length > 0) rules.push(`:host{${vars.join(";")}}`);
  for (const [key, style] of Object.entries(appearance.elements ?? {})) {
    if (!/^[A-Za-z][\w-]*$/.test(key)) continue;
    const declarations = Object.entries(style).flatMap(([name, value]) => {
      const text = value === undefined ? undefined : safe(value);
      return /^-{0,2}[A-Za-z][\w-]*$/.test(name) && text ? [`${kebab(name)}:${text}`] : [];
    });
    if (declarations.length > 0) rules.push(`:host [part~="${key}"]{${declarations.join(";")}}`);
  }
  return rules.join("\n");
}

/** Puts `appearance` into `sheet` (made on first use) and answers it. */
export function appearanceSheet(
  appearance: Appearance | undefined,
  sheet: CSSStyleSheet = new CSSStyleSheet(),
): CSSStyleSheet {
  sheet.replaceSync(appearanceCss(appearance));
  return sheet;
}

const componentSheets = new Map<string, CSSStyleSheet>();

/**
 * Adopts a component's own stylesheet (made once per `css`) into the shadow root that `ref`'s
 * element renders in, after the base sheet and before the appearance sheet (which must win);
 * again after any render that replaced the root's sheets.
 */
export function useComponentSheet(css: string, ref: { current: Element | null }): void {
  useLayoutEffect(() => {
    const root = ref.current?.getRootNode();
    if (!(root instanceof ShadowRoot)) return;
    let sheet = componentSheets.get(css);
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      componentSheets.set(css, sheet);
    }
    if (root.adoptedStyleSheets.includes(sheet)) return;
    const [base, ...rest] = root.adoptedStyleSheets;
    root.adoptedStyleSheets = base ? [base, sheet, ...rest] : [sheet];
  });
}
