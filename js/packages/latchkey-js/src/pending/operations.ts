// PENDING: operations that API.md names but the server's schema does not have yet (issue 23,
// "What the server adds for the SDK"; the reverification pair comes with the fixes issue). They
// are written against the contract's names, typed by hand, and left out of codegen (codegen
// checks every document against schema.graphql and would fail on them). When the server has
// one, move its document into `src/operations/*.graphql`, run `npm run codegen`, and import the
// generated document instead. Until then a call answers the server's `VALIDATION_FAILED`
// (unknown field), which the SDK passes on as a `LatchkeyError`.
import type { Document } from "../transport";

function pending<TResult, TVariables>(text: string): Document<TResult, TVariables> {
  return { toString: () => text };
}

/** `environment`: what a frontend must know before any call (client scope). */
export interface EnvironmentData {
  instance: {
    id: string;
    name: string;
    logoUrl: string | null;
    issuer: string;
    portalUrl: string;
  };
  signUp: { mode: string; requiredFields: string[] };
  passwordPolicy: Record<string, unknown>;
  firstFactors: string[];
  secondFactors: string[];
  multiSession: boolean;
  deleteSelfEnabled: boolean;
}

/** `query environment` (pending). */
export const EnvironmentDocument = pending<
  { environment: EnvironmentData },
  Record<string, never>
>(`
  query Environment {
    environment {
      instance { id name logoUrl issuer portalUrl }
      signUp { mode requiredFields }
      passwordPolicy
      firstFactors
      secondFactors
      multiSession
      deleteSelfEnabled
    }
  }
`);

/** One of the user's sessions on any device, as `me { sessions }` lists it. */
export interface MySessionData {
  id: string;
  status: string;
  lastActiveAt: string;
  expireAt: string;
  createdAt: string;
}

/** `query me { sessions }` (pending). */
export const MySessionsDocument = pending<
  { me: { sessions: MySessionData[] } },
  Record<string, never>
>(`
  query MySessions {
    me { sessions { id status lastActiveAt expireAt createdAt } }
  }
`);

/** `mutation revokeMySession(id)` (pending). */
export const RevokeMySessionDocument = pending<{ revokeMySession: MySessionData }, { id: string }>(`
  mutation RevokeMySession($id: ID!) {
    revokeMySession(id: $id) { id status lastActiveAt expireAt createdAt }
  }
`);

/** A reverification strategy: the contract's first and second factors. */
export type ReverificationStrategy = "PASSWORD" | "EMAIL_CODE" | "TOTP" | "BACKUP_CODE";

/** The state of a reverification, as the pending mutations answer it. */
export interface ReverificationData {
  status: string;
}

/** `mutation prepareReverification(strategy)` (pending). */
export const PrepareReverificationDocument = pending<
  { prepareReverification: ReverificationData },
  { strategy: ReverificationStrategy }
>(`
  mutation PrepareReverification($strategy: ReverificationStrategy!) {
    prepareReverification(strategy: $strategy) { status }
  }
`);

/** `mutation attemptReverification(strategy, code, password)` (pending). */
export const AttemptReverificationDocument = pending<
  { attemptReverification: ReverificationData },
  { strategy: ReverificationStrategy; code?: string | null; password?: string | null }
>(`
  mutation AttemptReverification($strategy: ReverificationStrategy!, $code: String, $password: String) {
    attemptReverification(strategy: $strategy, code: $code, password: $password) { status }
  }
`);
