// Where a component keeps its current step (the `routing` prop): "virtual" in memory (default),
// "hash" in location.hash (`#/factor-one`), "path" below the `path` prop with history.pushState
// (`/sign-in/factor-one`). A step is a short name; "" is the first.
import { useEffect, useState } from "preact/hooks";
import { useUi } from "./context";
import type { ComponentProps } from "./props";

const trimSlashes = (text: string): string => text.replace(/^\/+|\/+$/g, "");

/** The step the page's URL names for `props` (`""` in memory or when it names none). */
export function stepFromLocation(props: ComponentProps): string {
  if (typeof location === "undefined") return "";
  if (props.routing === "hash") return trimSlashes(location.hash.replace(/^#/, ""));
  if (props.routing === "path" && props.path) {
    const base = `/${trimSlashes(props.path)}`;
    const here = location.pathname;
    if (here === base || here.startsWith(`${base}/`)) return trimSlashes(here.slice(base.length));
  }
  return "";
}

/** The URL of `step` for `props`' routing (`undefined` for "virtual"). */
export function urlOfStep(props: ComponentProps, step: string): string | undefined {
  if (props.routing === "hash") return `${location.pathname}${location.search}#/${step}`;
  if (props.routing === "path" && props.path) {
    const base = `/${trimSlashes(props.path)}`;
    return `${step ? `${base}/${step}` : base}${location.search}`;
  }
  return undefined;
}

/**
 * The component's current step and the way to go to another (a new history entry for "hash" and
 * "path", so Back returns to the step before). Modals keep their steps in memory.
 */
export function useRoute(): [string, (step: string) => void] {
  const { props, mode } = useUi();
  const routed = mode === "modal" ? { ...props, routing: "virtual" as const } : props;
  const [step, setStep] = useState(() => stepFromLocation(routed));
  useEffect(() => {
    if (routed.routing !== "hash" && routed.routing !== "path") return;
    const sync = () => setStep(stepFromLocation(routed));
    const event = routed.routing === "hash" ? "hashchange" : "popstate";
    window.addEventListener(event, sync);
    return () => window.removeEventListener(event, sync);
  }, [routed.routing, routed.path]);
  const navigate = (next: string) => {
    const url = urlOfStep(routed, next);
    if (url !== undefined && url !== `${location.pathname}${location.search}${location.hash}`) {
      history.pushState(null, "", url);
    }
    setStep(next);
  };
  return [step, navigate];
}
