/** @jsxImportSource preact */
// A labelled <select> (no primitive has one): roles for an invitation or a member.
import { useUniqueId } from "../unique-id";

/** One choice of a select. */
export interface SelectOption {
  value: string;
  label: string;
}

/** A label and its select (`<label for>`), styled as the primitives' inputs. */
export function SelectField(props: {
  label: string;
  name: string;
  value: string;
  options: SelectOption[];
  onValue: (value: string) => void;
  disabled?: boolean;
  part?: string;
}) {
  const id = useUniqueId();
  return (
    <div class="lk-field" part={props.part ? `formField ${props.part}` : "formField"}>
      <div class="lk-label-row">
        <label class="lk-label" part="formFieldLabel" for={id}>
          {props.label}
        </label>
      </div>
      <RoleSelect
        id={id}
        name={props.name}
        value={props.value}
        options={props.options}
        onValue={props.onValue}
        disabled={props.disabled}
      />
    </div>
  );
}

/** A bare select labelled by `label` (for a table cell, where a visible label would repeat). */
export function RoleSelect(props: {
  id?: string;
  label?: string;
  name: string;
  value: string;
  options: SelectOption[];
  onValue: (value: string) => void;
  disabled?: boolean;
  compact?: boolean;
}) {
  const options = props.options.some((o) => o.value === props.value)
    ? props.options
    : [...props.options, { value: props.value, label: props.value }];
  return (
    <select
      id={props.id}
      name={props.name}
      class={props.compact ? "lk-input lk-org-select" : "lk-input"}
      part="formFieldInput selectInput"
      aria-label={props.id ? undefined : props.label}
      value={props.value}
      disabled={props.disabled}
      onChange={(event) => props.onValue(event.currentTarget.value)}
    >
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}
