/** @jsxImportSource preact */
// One section of UserProfile: a heading and its content, and a short-lived success message.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { parts } from "../primitives";
import { useUniqueId } from "../unique-id";

/** A titled section (`<section aria-labelledby>`); `part` adds the section's own key. */
export function Section(props: { title: string; part: string; children: ComponentChildren }) {
  const id = useUniqueId();
  return (
    <section class="lk-section" part={parts("profileSection", props.part)} aria-labelledby={id}>
      <h2 class="lk-section-title" id={id} part="profileSectionTitle">
        {props.title}
      </h2>
      {props.children}
    </section>
  );
}

/** A message that says an action went through, cleared after a while or by the next one. */
export function useNotice(): [string | undefined, (text: string | undefined) => void] {
  const [notice, setNotice] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (notice === undefined) return;
    const timer = setTimeout(() => setNotice(undefined), 8000);
    return () => clearTimeout(timer);
  }, [notice]);
  return [notice, setNotice];
}
