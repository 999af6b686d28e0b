import type {
  AccountFieldsFragment,
  ClientFieldsFragment,
  SignInFieldsFragment,
  SignUpFieldsFragment,
} from "./generated/graphql";
import type { GetTokenOptions } from "./tokens/manager";
import type { Document } from "./transport";

/**
 * What the resources ask of the `Latchkey` object that made them: requests in the client's or
 * the signed-in user's scope, tokens, and changes to the one state every listener sees.
 */
export interface Core {
  /** An operation in client scope (publishable key and client). */
  asClient<TResult, TVariables>(
    document: Document<TResult, TVariables>,
    variables: TVariables,
  ): Promise<TResult>;
  /** An operation as the signed-in user of the active session (its session token as bearer). */
  asUser<TResult, TVariables>(
    document: Document<TResult, TVariables>,
    variables: TVariables,
  ): Promise<TResult>;
  /** A session token of one of the client's sessions; `null` when it is not active. */
  getToken(sessionId: string, options?: GetTokenOptions): Promise<string | null>;
  /** The client as the server now says it is. */
  applyClient(client: ClientFieldsFragment | null): void;
  /** The client's sign-in in progress changed (read again when it created a session). */
  applySignIn(signIn: SignInFieldsFragment): Promise<void>;
  /** The client's sign-up in progress changed (read again when it created a session). */
  applySignUp(signUp: SignUpFieldsFragment): Promise<void>;
  /** The signed-in user changed (as their own session token reads them, memberships included). */
  applyUser(user: AccountFieldsFragment): void;
  /** Reads the client again from the server. */
  reloadClient(): Promise<void>;
}

/** Dates of the API (RFC 3339) as `Date`, `null` kept. */
export function toDate(value: string): Date;
export function toDate(value: string | null): Date | null;
export function toDate(value: string | null): Date | null {
  return value === null ? null : new Date(value);
}
