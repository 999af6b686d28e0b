// What every component reads: the SDK, its current snapshot, the environment, the texts, the
// shared props and how it is shown (mounted, in a modal, or as an Account Portal page).
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { EnvironmentData, Latchkey } from "../latchkey";
import type { LatchkeySnapshot } from "../state";
import type { Translate } from "./localization/translate";
import type { ComponentName, ComponentProps, ComponentPropsByName } from "./props";

/** How a component is shown. */
export type DisplayMode = "mounted" | "modal" | "portal";

/** The context of one mounted component. */
export interface UiContextValue {
  latchkey: Latchkey;
  /** The SDK's snapshot of this render (components re-render on each new one). */
  snapshot: LatchkeySnapshot;
  /** `latchkey.environment`: `null` until `load()` finished. */
  environment: EnvironmentData | null;
  /** Texts: English merged with the `localization` prop. */
  t: Translate;
  /** The component's props (those every component shares are read by routing and redirects). */
  props: ComponentProps;
  mode: DisplayMode;
  /** The id of the component's title (a modal is labelled by it). */
  titleId: string;
  /** Closes the modal the component is in (a no-op when it is not in one). */
  close: () => void;
  /** Opens another component in a modal (UserButton → UserProfile). */
  open: <N extends ComponentName>(name: N, props: ComponentPropsByName[N]) => void;
}

/** The context (set by mount.ts for each mounted component). */
export const UiContext = createContext<UiContextValue | null>(null);

/** The current component's context; throws outside a mounted component. */
export function useUi(): UiContextValue {
  const value = useContext(UiContext);
  if (!value) throw new Error("Latchkey components render only through latchkey.mount…()");
  return value;
}
