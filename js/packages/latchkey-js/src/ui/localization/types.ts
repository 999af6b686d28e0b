// The shape of a localization table, from the English one.
import type * as en from "./en";

/** The English table: groups (`common`, `signIn`, …) of texts. */
export type LocalizationTable = typeof en;

/** A partial table merged over English (the `localization` prop). */
export type LocalizationResource = {
  [G in keyof LocalizationTable]?: Partial<Record<keyof LocalizationTable[G], string>>;
};

/** One text's key: `group.name`, such as `signIn.title`. */
export type LocalizationKey = {
  [G in keyof LocalizationTable]: `${G & string}.${keyof LocalizationTable[G] & string}`;
}[keyof LocalizationTable];
