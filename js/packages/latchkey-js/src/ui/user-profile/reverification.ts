// The one piece of code every section of UserProfile runs its guarded actions through: an
// action answered `REVERIFICATION_REQUIRED` asks for a factor again (the password, else a mailed
// code; then the authenticator or a backup code for a user with TOTP) and then runs again.
import { isLatchkeyError, LatchkeyError } from "../../errors";
import type { ReverificationStrategy, SessionReverification } from "../../index";

/** What the user is asked for now (`idle`: nothing, no action waits). */
export type ReverificationStep =
  | { kind: "idle" }
  | { kind: "password" }
  | { kind: "email-code"; sentTo: string | null }
  | { kind: "second-factor"; strategy: "TOTP" | "BACKUP_CODE" };

/** The user's reverification calls (the SDK's `UserResource`). */
export interface Reverifiable {
  readonly passwordEnabled: boolean;
  prepareReverification(params: {
    strategy: ReverificationStrategy;
  }): Promise<SessionReverification>;
  attemptReverification(params: {
    strategy: ReverificationStrategy;
    code?: string;
    password?: string;
  }): Promise<SessionReverification>;
}

/** The error a guarded action's promise rejects with when the user cancels the prompt. */
export class ReverificationCancelled extends Error {
  constructor() {
    super("reverification cancelled");
    this.name = "ReverificationCancelled";
  }
}

interface Pending {
  action: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs guarded actions and, when the server wants a recent factor, holds the action while the
 * user verifies one; `onChange` is told every new step (to render the prompt).
 */
export class Reverifier {
  #step: ReverificationStep = { kind: "idle" };
  #pending: Pending | null = null;

  /** `user()` reads the current user (the profile's snapshot changes under it). */
  constructor(
    private readonly user: () => Reverifiable,
    private readonly onChange: (step: ReverificationStep) => void,
  ) {}

  /** What is asked now. */
  get step(): ReverificationStep {
    return this.#step;
  }

  #set(step: ReverificationStep): void {
    this.#step = step;
    this.onChange(step);
  }

  /**
   * Runs `action`; when it answers `REVERIFICATION_REQUIRED`, resolves with its result once the
   * user has verified again (rejects with `ReverificationCancelled` if they cancel, or with the
   * action's own error on the second run). Other errors reject at once.
   */
  async guard<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      if (!isLatchkeyError(error) || error.code !== "REVERIFICATION_REQUIRED") throw error;
    }
    // A second action while one waits: the earlier one is dropped (one prompt at a time).
    this.#pending?.reject(new ReverificationCancelled());
    const waiting = new Promise<T>((resolve, reject) => {
      this.#pending = { action, resolve: resolve as (value: unknown) => void, reject };
    });
    if (this.user().passwordEnabled) this.#set({ kind: "password" });
    else await this.#firstCode();
    return waiting;
  }

  /**
   * Mails another code to the primary address ("resend" in the prompt); a failure to send throws
   * (the prompt shows it).
   */
  async sendCode(): Promise<void> {
    const sent = await this.user().prepareReverification({ strategy: "EMAIL_CODE" });
    this.#set({ kind: "email-code", sentTo: sent.safeIdentifier ?? null });
  }

  /**
   * The first code of a prompt (the first factor of a user without a password): a failure to
   * send is the waiting action's.
   */
  async #firstCode(): Promise<void> {
    try {
      await this.sendCode();
    } catch (error) {
      this.#finish(() => Promise.reject(error));
    }
  }

  /** Switches the second factor between the authenticator app and a backup code. */
  toggleBackupCode(): void {
    if (this.#step.kind !== "second-factor") return;
    this.#set({
      kind: "second-factor",
      strategy: this.#step.strategy === "TOTP" ? "BACKUP_CODE" : "TOTP",
    });
  }

  /**
   * Checks what the user typed for the current step. A wrong password or code throws (the
   * prompt shows it and stays); a complete reverification runs the waiting action again.
   */
  async submit(value: string): Promise<void> {
    const step = this.#step;
    let strategy: ReverificationStrategy;
    if (step.kind === "password") strategy = "PASSWORD";
    else if (step.kind === "email-code") strategy = "EMAIL_CODE";
    else if (step.kind === "second-factor") strategy = step.strategy;
    else throw new LatchkeyError("SDK_STATE", "no reverification is waiting");
    const result = await this.user().attemptReverification(
      strategy === "PASSWORD" ? { strategy, password: value } : { strategy, code: value.trim() },
    );
    if (result.status === "NEEDS_SECOND_FACTOR") {
      this.#set({ kind: "second-factor", strategy: "TOTP" });
    } else if (result.status === "NEEDS_FIRST_FACTOR") {
      if (this.user().passwordEnabled) this.#set({ kind: "password" });
      else await this.#firstCode();
    } else {
      const pending = this.#pending;
      this.#finish(() => pending?.action() ?? Promise.resolve(undefined));
    }
  }

  /** Drops the waiting action (its promise rejects with `ReverificationCancelled`). */
  cancel(): void {
    this.#finish(() => Promise.reject(new ReverificationCancelled()));
  }

  #finish(run: () => Promise<unknown>): void {
    const pending = this.#pending;
    this.#pending = null;
    this.#set({ kind: "idle" });
    if (pending) run().then(pending.resolve, pending.reject);
  }
}
