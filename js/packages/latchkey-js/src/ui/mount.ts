// Mounts a component into an element: a shadow root on the element (the host page's CSS cannot
// reach in), the base and appearance stylesheets adopted (constructable, so a CSP without
// 'unsafe-inline' allows them), a render on every SDK snapshot, and modals on document.body.
import { h, render } from "preact";
import type { Latchkey } from "../latchkey";
import type { LatchkeySnapshot } from "../state";
import { UiContext, type DisplayMode, type UiContextValue } from "./context";
import { type Translate, translator } from "./localization/translate";
import { Modal, Spinner, Card, ErrorBanner } from "./primitives";
import type { ComponentName, ComponentPropsByName } from "./props";
import { INLINE_COMPONENTS, registry, WIDE_MODALS } from "./registry";
import { appearanceSheet, baseSheet } from "./theme";

interface Mounted {
  latchkey: Latchkey;
  name: ComponentName;
  props: ComponentPropsByName[ComponentName];
  mode: DisplayMode;
  container: HTMLElement;
  sheet: CSSStyleSheet;
  titleId: string;
  unsubscribe: () => void;
  onClose: () => void;
  /** The texts of `props.localization`, made again only when the props change. */
  t: Translate;
}

const mounted = new Map<Element, Mounted>();
let counter = 0;

/**
 * Renders component `name` with `props` into a shadow root of `host`; mounting again on the
 * same element updates the props. `mode` says how it is shown (mounted, modal, portal page).
 * The component listens to the SDK until `unmountComponent(host)`: a page that drops the element
 * unmounts it first (the React wrappers do).
 */
export function mountComponent<N extends ComponentName>(
  latchkey: Latchkey,
  name: N,
  host: HTMLElement,
  props: ComponentPropsByName[N] = {},
  mode: DisplayMode = "mounted",
  onClose: () => void = () => undefined,
): void {
  if (!(host instanceof HTMLElement)) throw new TypeError(`mount${name}: not an element`);
  if (!registry[name]) throw new Error(`Latchkey: the ${name} component is not available`);
  const existing = mounted.get(host);
  if (existing && existing.name === name && existing.latchkey === latchkey) {
    existing.props = props;
    existing.t = translator(props.localization);
    appearanceSheet(props.appearance, existing.sheet);
    draw(existing);
    return;
  }
  if (existing) unmountComponent(host);
  const root = host.shadowRoot ?? host.attachShadow({ mode: "open" });
  const sheet = appearanceSheet(props.appearance);
  root.adoptedStyleSheets = [baseSheet(), sheet];
  const container = document.createElement("div");
  container.className = "lk-root";
  container.setAttribute("part", "root");
  root.replaceChildren(container);
  const entry: Mounted = {
    latchkey,
    name,
    props,
    mode,
    container,
    sheet,
    titleId: `lk-title-${++counter}`,
    unsubscribe: () => undefined,
    onClose,
    t: translator(props.localization),
  };
  mounted.set(host, entry);
  entry.unsubscribe = latchkey.addListener(() => draw(entry));
  draw(entry);
}

/** Removes the component mounted on `host` (a no-op when there is none). */
export function unmountComponent(host: HTMLElement): void {
  const entry = mounted.get(host);
  if (!entry) return;
  mounted.delete(host);
  entry.unsubscribe();
  render(null, entry.container);
  entry.container.remove();
}

/** The element that has the focus, looking into shadow roots. */
function activeElement(): HTMLElement | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active instanceof HTMLElement ? active : null;
}

const modals = new Map<ComponentName, { host: HTMLElement; opener: HTMLElement | null }>();

/** Opens component `name` in a modal (again: updates its props). */
export function openComponent<N extends ComponentName>(
  latchkey: Latchkey,
  name: N,
  props: ComponentPropsByName[N] = {},
): void {
  let modal = modals.get(name);
  if (!modal) {
    const host = document.createElement("div");
    host.setAttribute("data-latchkey-modal", name);
    document.body.append(host);
    modal = { host, opener: activeElement() };
    modals.set(name, modal);
  }
  mountComponent(latchkey, name, modal.host, props, "modal", () => closeComponent(name));
}

/** Closes the modal of component `name` and gives the focus back to what opened it. */
export function closeComponent(name: ComponentName): void {
  const modal = modals.get(name);
  if (!modal) return;
  modals.delete(name);
  unmountComponent(modal.host);
  modal.host.remove();
  if (modal.opener?.isConnected) modal.opener.focus();
}

function draw(entry: Mounted): void {
  const { latchkey, props } = entry;
  const snapshot = latchkey.getSnapshot();
  const context: UiContextValue = {
    latchkey,
    snapshot,
    environment: latchkey.environment,
    t: entry.t,
    props,
    mode: entry.mode,
    titleId: entry.titleId,
    close: entry.onClose,
    open: (name, openProps) => openComponent(latchkey, name, openProps),
  };
  const Component = registry[entry.name] as (p: typeof props) => ReturnType<typeof h>;
  const body = !snapshot.loaded ? loading(entry.name, snapshot) : h(Component, props);
  const shown =
    entry.mode === "modal"
      ? h(Modal, { onClose: entry.onClose, wide: WIDE_MODALS.has(entry.name), children: body })
      : entry.mode === "portal"
        ? h("div", { class: "lk-portal", part: "portal" }, body)
        : body;
  render(h(UiContext.Provider, { value: context }, shown), entry.container);
}

/** What shows before `load()` finished: a spinner (in a card), or why loading failed. */
function loading(name: ComponentName, snapshot: LatchkeySnapshot) {
  const content =
    snapshot.status === "error"
      ? h(ErrorBanner, {
          error: {
            code: snapshot.error?.code ?? "INTERNAL",
            field: undefined,
            message: snapshot.error?.message ?? "",
            until: undefined,
          },
        })
      : h(Spinner, { label: undefined });
  return INLINE_COMPONENTS.has(name)
    ? content
    : h(Card, { wide: WIDE_MODALS.has(name), children: content });
}
