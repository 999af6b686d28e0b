/** @jsxImportSource preact */
// An organization's (or the personal account's) picture, or its initial drawn by CSS: no text
// node, so a button's accessible name matches its visible text (axe's label-content-name-mismatch).
import { useEffect, useState } from "preact/hooks";
import { organizationInitial } from "./model";

/** A small square picture or the initial of `name`; hidden from assistive technology. */
export function OrganizationAvatar(props: { name: string; imageUrl?: string | null }) {
  const [broken, setBroken] = useState(false);
  useEffect(() => setBroken(false), [props.imageUrl]);
  const image = props.imageUrl && !broken;
  return (
    <span
      class="lk-avatar lk-org-avatar"
      part="avatar organizationAvatar"
      aria-hidden="true"
      data-initials={image ? undefined : organizationInitial(props.name)}
    >
      {image && <img src={props.imageUrl!} alt="" onError={() => setBroken(true)} />}
    </span>
  );
}
