// Looks texts up in English merged with the `localization` prop, and fills `{placeholders}`.
import * as en from "./en";
import type { LocalizationKey, LocalizationResource } from "./types";

/** Values for a text's `{placeholders}`. */
export type TextParams = Record<string, string | number>;

/** Looks up one text by key, filling its placeholders. */
export type Translate = (key: LocalizationKey, params?: TextParams) => string;

const tables = en as unknown as Record<string, Record<string, string>>;

/** The lookup over English and `localization` (a missing key answers the key itself). */
export function translator(localization: LocalizationResource | undefined): Translate {
  const custom = (localization ?? {}) as Record<string, Record<string, string> | undefined>;
  return (key, params) => {
    const dot = key.indexOf(".");
    const group = key.slice(0, dot);
    const name = key.slice(dot + 1);
    const text = custom[group]?.[name] ?? tables[group]?.[name] ?? key;
    return params ? fill(text, params) : text;
  };
}

/** Replaces each `{name}` in `text` by `params.name` (unknown names stay as they are). */
export function fill(text: string, params: TextParams): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}
