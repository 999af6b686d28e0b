/** @jsxImportSource preact */
// The building blocks of every component. Each styled element carries `part="<element key>"`
// (host CSS reaches it with ::part(), `appearance.elements` by the same key); pass `part` to add
// a component's own key beside the primitive's. Menu, Popover and Modal are in overlays.tsx.
import type { ButtonHTMLAttributes, ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { useUniqueId } from "./unique-id";
import { useUi } from "./context";
import { type FormError, formatWait } from "./errors";
import { fill } from "./localization/translate";

export { Menu, type MenuItem, Modal, Popover } from "./overlays";

/** `part` of an element: its primitive key, then the caller's. */
export const parts = (key: string, extra?: string): string => (extra ? `${key} ${extra}` : key);

/** The box a component's content sits in. */
export function Card(props: { children: ComponentChildren; wide?: boolean; part?: string }) {
  return (
    <div class={props.wide ? "lk-card lk-wide" : "lk-card"} part={parts("card", props.part)}>
      {props.children}
    </div>
  );
}

/** The instance's logo (when it has one), the title (the modal's label) and a subtitle. */
export function Header(props: { title: string; subtitle?: ComponentChildren; logo?: boolean }) {
  const { environment, titleId } = useUi();
  const logo = props.logo !== false ? environment?.logoUrl : null;
  return (
    <div class="lk-header" part="header">
      {logo && <img class="lk-logo" part="logo" src={logo} alt={environment?.name ?? ""} />}
      <h1 class="lk-title" part="headerTitle" id={titleId} tabIndex={-1}>
        {props.title}
      </h1>
      {props.subtitle && (
        <p class="lk-subtitle" part="headerSubtitle">
          {props.subtitle}
        </p>
      )}
    </div>
  );
}

/**
 * A real `<form>` (Enter submits, password managers see it). `focusFirst` moves the focus to its
 * first field when it appears (each new step of a flow).
 */
export function Form(props: {
  onSubmit: () => void;
  children: ComponentChildren;
  focusFirst?: boolean;
  label?: string;
  part?: string;
}) {
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!props.focusFirst) return;
    ref.current
      ?.querySelector<HTMLElement>("input:not([type=hidden]):not([hidden]), select, textarea")
      ?.focus();
  }, []);
  return (
    <form
      ref={ref}
      class="lk-form"
      part={parts("form", props.part)}
      aria-label={props.label}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit();
      }}
    >
      {props.children}
    </form>
  );
}

/** Props of `<Field>`: the label, the input's own attributes, and its inline error and hint. */
export interface FieldProps {
  label: string;
  name: string;
  value: string;
  onValue: (value: string) => void;
  type?: "text" | "email" | "password" | "url" | "tel";
  autocomplete?: string;
  /** The message under the field (it marks the input invalid). */
  error?: string | undefined;
  hint?: ComponentChildren;
  /** Beside the label, right (such as "Forgot password?"). */
  labelAction?: ComponentChildren;
  required?: boolean;
  optionalText?: string;
  inputMode?: "text" | "numeric" | "email" | "url";
  maxLength?: number;
  code?: boolean;
  disabled?: boolean;
  part?: string;
}

/** A label, its input (`<label for>`), an optional hint, and the error under it (`aria-live`). */
export function Field(props: FieldProps) {
  const id = useUniqueId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const described = [props.hint ? hintId : "", props.error ? errorId : ""].filter(Boolean);
  return (
    <div class="lk-field" part={parts("formField", props.part)}>
      <div class="lk-label-row">
        <label class="lk-label" part="formFieldLabel" for={id}>
          {props.label}
          {props.optionalText && (
            <span class="lk-hint" part="formFieldOptional">
              {" "}
              ({props.optionalText})
            </span>
          )}
        </label>
        {props.labelAction}
      </div>
      <input
        id={id}
        class={props.code ? "lk-input lk-code" : "lk-input"}
        part={props.code ? "formFieldInput codeInput" : "formFieldInput"}
        name={props.name}
        type={(props.type ?? "text") as "text"}
        value={props.value}
        onInput={(event) => props.onValue(event.currentTarget.value)}
        autocomplete={props.autocomplete}
        inputMode={props.inputMode}
        maxLength={props.maxLength}
        required={props.required}
        disabled={props.disabled}
        spellcheck={false}
        autoCapitalize="none"
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={described.length > 0 ? described.join(" ") : undefined}
      />
      {props.hint && (
        <p id={hintId} class="lk-hint" part="formFieldHint">
          {props.hint}
        </p>
      )}
      <p id={errorId} class="lk-field-error" part="formFieldError" aria-live="polite">
        {props.error}
      </p>
    </div>
  );
}

/** A one-time code's field: digits (or a backup code's letters), `autocomplete=one-time-code`. */
export function CodeInput(
  props: Omit<FieldProps, "type" | "autocomplete" | "code"> & { digits?: boolean },
) {
  const digits = props.digits !== false;
  return (
    <Field
      {...props}
      code={digits}
      autocomplete="one-time-code"
      inputMode={digits ? "numeric" : "text"}
      maxLength={props.maxLength ?? (digits ? 6 : 32)}
    />
  );
}

/** A checkbox with its label. */
export function Checkbox(props: {
  label: string;
  name: string;
  checked: boolean;
  onChecked: (checked: boolean) => void;
}) {
  const id = useUniqueId();
  return (
    <div class="lk-check" part="formCheckbox">
      <input
        id={id}
        type="checkbox"
        name={props.name}
        checked={props.checked}
        onChange={(event) => props.onChecked(event.currentTarget.checked)}
      />
      <label for={id} part="formCheckboxLabel">
        {props.label}
      </label>
    </div>
  );
}

/** A button: `primary` (a form's submit), `secondary`, or `danger`; `busy` shows a spinner. */
export function Button(
  props: Omit<ButtonHTMLAttributes<HTMLButtonElement>, "part"> & {
    variant?: "primary" | "secondary" | "danger";
    busy?: boolean;
    part?: string;
  },
) {
  const { variant = "primary", busy, part, children, type, disabled, ...rest } = props;
  const key =
    variant === "primary"
      ? "formButtonPrimary"
      : variant === "danger"
        ? "buttonDanger"
        : "formButtonSecondary";
  return (
    <button
      {...rest}
      type={type ?? (variant === "primary" ? "submit" : "button")}
      class={`lk-button lk-button-${variant}`}
      part={parts(key, part)}
      disabled={disabled || busy}
      aria-busy={busy ? "true" : undefined}
    >
      {busy && <span class="lk-spinner" part="spinner" aria-hidden="true" />}
      {children}
    </button>
  );
}

/** A link: an `<a>` with `href`, else a button that looks like one. */
export function Link(props: {
  href?: string;
  onClick?: () => void;
  children: ComponentChildren;
  part?: string;
}) {
  if (props.href !== undefined) {
    return (
      <a class="lk-link" part={parts("link", props.part)} href={props.href} onClick={props.onClick}>
        {props.children}
      </a>
    );
  }
  return (
    <button type="button" class="lk-link" part={parts("link", props.part)} onClick={props.onClick}>
      {props.children}
    </button>
  );
}

/** Seconds left until `until` (ms since the epoch), ticking each second; 0 once past. */
export function useSecondsLeft(until: number | undefined): number {
  const left = () =>
    until === undefined ? 0 : Math.max(0, Math.ceil((until - Date.now()) / 1000));
  const [seconds, setSeconds] = useState(left);
  useEffect(() => {
    setSeconds(left());
    if (until === undefined) return;
    const timer = setInterval(() => {
      const now = left();
      setSeconds(now);
      if (now === 0) clearInterval(timer);
    }, 250);
    return () => clearInterval(timer);
  }, [until]);
  return seconds;
}

/**
 * An error above the form (`role="alert"`). A wait (`RATE_LIMITED`, `ACCOUNT_LOCKED`) counts
 * down where it is seen, and is read out once; the banner goes away when the wait is over.
 */
export function ErrorBanner(props: { error: FormError | undefined; part?: string }) {
  const { t } = useUi();
  const error = props.error;
  const seconds = useSecondsLeft(error?.until);
  const live = error ? fill(error.message, { wait: formatWait(seconds, t) }) : "";
  const [announced, setAnnounced] = useState("");
  useEffect(() => setAnnounced(live), [error]);
  if (!error || (error.until !== undefined && seconds === 0 && error.message.includes("{wait}")))
    return null;
  return (
    <div class="lk-banner lk-banner-error" part={parts("errorBanner", props.part)}>
      <span role="alert" class="lk-visually-hidden">
        {announced}
      </span>
      <span aria-hidden="true">{live}</span>
    </div>
  );
}

/** A short confirmation above the form ("We sent a new code."). */
export function SuccessBanner(props: { children: ComponentChildren }) {
  return (
    <div class="lk-banner lk-banner-success" part="successBanner" role="status">
      {props.children}
    </div>
  );
}

/** A spinner with a label read by screen readers. */
export function Spinner(props: { label?: string }) {
  const { t } = useUi();
  return (
    <div class="lk-center" part="spinnerBox" role="status">
      <span class="lk-spinner" part="spinner" aria-hidden="true" />
      <span class="lk-visually-hidden">{props.label ?? t("common.loading")}</span>
    </div>
  );
}

/** The links under a card ("No account? Sign up"). */
export function Footer(props: { children: ComponentChildren }) {
  return (
    <div class="lk-footer" part="footer">
      {props.children}
    </div>
  );
}

/** Initials of a name or address (at most two letters). */
export function initials(name: string): string {
  // An email address gives one letter (its local part's words are seldom names).
  const words = name.includes("@") ? [name] : name.split(/[\s._-]+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]![0], words[1]![0]] : [name[0]];
  return letters.join("").toUpperCase();
}

/** A round picture of a user or organization, or its initials when it has none. */
export function Avatar(props: {
  name: string;
  imageUrl?: string | null;
  size?: "small" | "large";
  part?: string;
}) {
  const [broken, setBroken] = useState(false);
  useEffect(() => setBroken(false), [props.imageUrl]);
  return (
    <span
      class={props.size === "large" ? "lk-avatar lk-avatar-large" : "lk-avatar"}
      part={parts("avatar", props.part)}
      aria-hidden="true"
    >
      {props.imageUrl && !broken ? (
        <img src={props.imageUrl} alt="" onError={() => setBroken(true)} />
      ) : (
        initials(props.name || "?")
      )}
    </span>
  );
}
