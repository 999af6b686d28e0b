// The state SignIn's steps share: the sign-in in progress, where to go next from a server's
// answer, and how it ends.
import type { SignInResource } from "../../resources/sign-in";
import type { FirstFactorStrategy } from "../../generated/graphql";

/** SignIn's steps (the route's names; "" is the identifier). */
export type SignInStep =
  "" | "password" | "email-code" | "factor-two" | "reset-password" | "new-password";

/** What every step gets from `<SignIn/>`. */
export interface StepProps {
  /** The sign-in in progress (from the SDK's snapshot). */
  signIn: SignInResource;
  /** Goes to the step the server's answer calls for (or finishes). */
  advance: (result: SignInResource) => Promise<void>;
  navigate: (step: SignInStep) => void;
  /** When the last code was sent (ms since the epoch), and a way to say one was. */
  sentAt: number;
  setSentAt: (at: number) => void;
  /** Back to the identifier, to sign in as someone else. */
  restart: () => void;
}

/** A first factor the sign-in offers, with the address its code goes to. */
export function factor(signIn: SignInResource, strategy: FirstFactorStrategy) {
  return signIn.supportedFirstFactors.find((f) => f.strategy === strategy);
}

/** Whether a sign-in is under way (a step past the identifier may be shown). */
export function inProgress(signIn: SignInResource | undefined): boolean {
  const status = signIn?.status;
  return (
    status === "NEEDS_FIRST_FACTOR" ||
    status === "NEEDS_SECOND_FACTOR" ||
    status === "NEEDS_NEW_PASSWORD"
  );
}
