/** @jsxImportSource preact */
// What opens over the page: Popover (a panel under its button), Menu (a popover of items with
// arrow keys) and Modal (a dialog that keeps the focus inside, closed by Escape).
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { useUniqueId } from "./unique-id";
import { useUi } from "./context";

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** The elements of `root` that Tab reaches, in order. */
export function focusables(root: ParentNode): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => !el.closest("[inert]") && el.getClientRects().length > 0,
  );
}

/** Calls `onOutside` for a pointer press outside `ref` (seen through shadow roots). */
function useOutside(ref: { current: Element | null }, active: boolean, onOutside: () => void) {
  useEffect(() => {
    if (!active) return;
    const listener = (event: Event) => {
      if (ref.current && !event.composedPath().includes(ref.current)) onOutside();
    };
    document.addEventListener("pointerdown", listener, true);
    return () => document.removeEventListener("pointerdown", listener, true);
  }, [active]);
}

/**
 * A button and the panel it opens under it. `button` is the button's content, `label` its
 * accessible name; Escape and a click outside close the panel and give the focus back.
 */
export function Popover(props: {
  /** The button's accessible name; empty when the button's own content names it. */
  label: string;
  button: ComponentChildren;
  children: (close: () => void) => ComponentChildren;
  align?: "start" | "end";
  role?: "menu" | "dialog";
  part?: string;
  /** Called with the panel when it opens (to move the focus into it). */
  onOpen?: (panel: HTMLElement) => void;
}) {
  const [open, setOpen] = useState(false);
  const anchor = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const id = useUniqueId();
  const close = (refocus = true) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };
  useOutside(anchor, open, () => close(false));
  useEffect(() => {
    if (open && panel.current) {
      if (props.onOpen) props.onOpen(panel.current);
      else focusables(panel.current)[0]?.focus();
    }
  }, [open]);
  return (
    <div class="lk-popover-anchor" ref={anchor} part={props.part ? `${props.part}Root` : undefined}>
      <button
        ref={button}
        id={`${id}-button`}
        type="button"
        class="lk-menu-button"
        part={props.part ? `menuButton ${props.part}Trigger` : "menuButton"}
        aria-label={props.label || undefined}
        aria-haspopup={props.role ?? "dialog"}
        aria-expanded={open ? "true" : "false"}
        aria-controls={open ? id : undefined}
        onClick={() => setOpen(!open)}
      >
        {props.button}
      </button>
      {open && (
        <div
          ref={panel}
          id={id}
          class={props.align === "start" ? "lk-menu lk-menu-start" : "lk-menu"}
          part={props.part ? `menu ${props.part}Popover` : "menu"}
          role={props.role === "menu" ? "menu" : "dialog"}
          aria-label={props.label || undefined}
          aria-labelledby={props.label ? undefined : `${id}-button`}
          onKeyDown={(event) => {
            if (event.key === "Escape") {
              event.stopPropagation();
              close();
            }
          }}
          onFocusOut={(event) => {
            const next = event.relatedTarget as Node | null;
            if (next && anchor.current && !anchor.current.contains(next)) close(false);
          }}
        >
          {props.children(() => close())}
        </div>
      )}
    </div>
  );
}

/** One entry of a `<Menu>`. */
export interface MenuItem {
  label: ComponentChildren;
  onSelect: () => void;
  icon?: ComponentChildren;
  /** A key for the item's `part` (`menuItem <part>`) and for tests. */
  part?: string;
}

/**
 * A menu button (`aria-haspopup="menu"`): the items are `role="menuitem"`, arrow keys, Home and
 * End move between them, Escape closes; `header` shows above the items (who is signed in).
 */
export function Menu(props: {
  label: string;
  button: ComponentChildren;
  items: MenuItem[];
  header?: ComponentChildren;
  align?: "start" | "end";
  part?: string;
}) {
  const move = (panel: HTMLElement, from: Element | null, key: string) => {
    const items = [...panel.querySelectorAll<HTMLElement>('[role="menuitem"]')];
    if (items.length === 0) return;
    const at = from ? items.indexOf(from as HTMLElement) : -1;
    const next =
      key === "Home"
        ? 0
        : key === "End"
          ? items.length - 1
          : key === "ArrowUp"
            ? (at - 1 + items.length) % items.length
            : (at + 1) % items.length;
    items[next]?.focus();
  };
  return (
    <Popover
      label={props.label}
      button={props.button}
      align={props.align}
      role="menu"
      part={props.part}
      onOpen={(panel) => move(panel, null, "Home")}
    >
      {(close) => (
        <div
          onKeyDown={(event) => {
            if (["ArrowDown", "ArrowUp", "Home", "End"].includes(event.key)) {
              event.preventDefault();
              const root = event.currentTarget.getRootNode() as Document | ShadowRoot;
              move(event.currentTarget, root.activeElement, event.key);
            }
          }}
        >
          {props.header && (
            <div class="lk-menu-section" part="menuHeader" role="presentation">
              {props.header}
            </div>
          )}
          {props.items.map((item, index) => (
            <button
              key={index}
              type="button"
              role="menuitem"
              tabIndex={-1}
              class="lk-menu-item"
              part={item.part ? `menuItem ${item.part}` : "menuItem"}
              onClick={() => {
                close();
                item.onSelect();
              }}
            >
              {item.icon}
              <span>{item.label}</span>
            </button>
          ))}
        </div>
      )}
    </Popover>
  );
}

/**
 * A modal dialog over the page (`aria-modal`, labelled by the component's title): the focus
 * moves into it, Tab and Shift+Tab stay inside, Escape and a click on the backdrop close it.
 * mount.ts gives the focus back to the element that opened it.
 */
export function Modal(props: { onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const { t, titleId } = useUi();
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const root = dialog.current;
    if (!root) return;
    // The step's own form moves the focus to its first field; otherwise the dialog's first stop.
    const shadow = root.getRootNode() as ShadowRoot;
    if (!root.contains(shadow.activeElement)) {
      const first = focusables(root).find((el) => !el.classList.contains("lk-modal-close"));
      (first ?? root).focus();
    }
  }, []);
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      props.onClose();
      return;
    }
    if (event.key !== "Tab" || !dialog.current) return;
    const stops = focusables(dialog.current);
    const active = (dialog.current.getRootNode() as ShadowRoot).activeElement;
    const first = stops[0];
    const last = stops[stops.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && (active === first || !dialog.current.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !dialog.current.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  };
  return (
    <div
      class="lk-modal-backdrop"
      part="modalBackdrop"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) props.onClose();
      }}
    >
      <div
        ref={dialog}
        class={props.wide ? "lk-modal lk-modal-wide" : "lk-modal"}
        part="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <button
          type="button"
          class="lk-modal-close"
          part="modalCloseButton"
          aria-label={t("common.close")}
          onClick={props.onClose}
        >
          <span aria-hidden="true">×</span>
        </button>
        {props.children}
      </div>
    </div>
  );
}
