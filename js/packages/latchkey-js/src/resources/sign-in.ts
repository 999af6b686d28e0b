import type { Core } from "../core";
import {
  AttemptFirstFactorDocument,
  AttemptSecondFactorDocument,
  CreateSignInDocument,
  type FirstFactorStrategy,
  PrepareFirstFactorDocument,
  ResetPasswordDocument,
  type SecondFactorStrategy,
  type SignInFieldsFragment,
} from "../generated/graphql";

/** Where a sign-in stands; `null` before one is created. */
export type SignInStatus = SignInFieldsFragment["status"];

/**
 * The client's sign-in (Clerk's `SignIn`): create it with an identifier (and a password to
 * finish in one call), then prepare and attempt factors until `status` is `COMPLETE`, and make
 * `createdSessionId` active with `latchkey.setActive`. Each step answers the new sign-in; the
 * `Latchkey` object's listeners see it too.
 */
export class SignInResource {
  readonly #core: Core;
  /** The sign-in's id; `null` before `create`. */
  readonly id: string | null;
  /** Where it stands; `null` before `create`. */
  readonly status: SignInStatus | null;
  /** The identifier given to `create`. */
  readonly identifier: string | null;
  /** The first factors the user may use (password, email codes per address, reset). */
  readonly supportedFirstFactors: SignInFieldsFragment["supportedFirstFactors"];
  /** The second factors, once the first passed and one is due. */
  readonly supportedSecondFactors: SignInFieldsFragment["supportedSecondFactors"];
  /** The state of the first factor being verified. */
  readonly firstFactorVerification: SignInFieldsFragment["firstFactorVerification"];
  /** The session it created, once complete. */
  readonly createdSessionId: string | null;

  /** A resource over the server's data (`null`: no sign-in yet). */
  constructor(core: Core, data: SignInFieldsFragment | null) {
    this.#core = core;
    this.id = data?.id ?? null;
    this.status = data?.status ?? null;
    this.identifier = data?.identifier ?? null;
    this.supportedFirstFactors = data?.supportedFirstFactors ?? [];
    this.supportedSecondFactors = data?.supportedSecondFactors ?? [];
    this.firstFactorVerification = data?.firstFactorVerification ?? null;
    this.createdSessionId = data?.createdSessionId ?? null;
  }

  async #apply(data: SignInFieldsFragment): Promise<SignInResource> {
    await this.#core.applySignIn(data);
    return new SignInResource(this.#core, data);
  }

  /** Starts a sign-in; with a password it completes at once when no second factor is due. */
  async create(params: {
    identifier: string;
    password?: string;
    strategy?: FirstFactorStrategy;
  }): Promise<SignInResource> {
    const data = await this.#core.asClient(CreateSignInDocument, { input: params });
    return this.#apply(data.createSignIn);
  }

  /** Sends a code for an email-code or password-reset first factor. */
  async prepareFirstFactor(params: {
    strategy: FirstFactorStrategy;
    emailAddressId: string;
  }): Promise<SignInResource> {
    const data = await this.#core.asClient(PrepareFirstFactorDocument, params);
    return this.#apply(data.prepareFirstFactor);
  }

  /** Checks a first factor: a password, or a code that was prepared. */
  async attemptFirstFactor(params: {
    strategy: FirstFactorStrategy;
    password?: string;
    code?: string;
  }): Promise<SignInResource> {
    const data = await this.#core.asClient(AttemptFirstFactorDocument, params);
    return this.#apply(data.attemptFirstFactor);
  }

  /** Checks the second factor: a TOTP code or a backup code. */
  async attemptSecondFactor(params: {
    strategy: SecondFactorStrategy;
    code: string;
  }): Promise<SignInResource> {
    const data = await this.#core.asClient(AttemptSecondFactorDocument, params);
    return this.#apply(data.attemptSecondFactor);
  }

  /** Sets a new password after a reset code, then completes the sign-in. */
  async resetPassword(params: {
    password: string;
    signOutOfOtherSessions?: boolean;
  }): Promise<SignInResource> {
    const data = await this.#core.asClient(ResetPasswordDocument, {
      password: params.password,
      signOutOfOtherSessions: params.signOutOfOtherSessions ?? false,
    });
    return this.#apply(data.resetPassword);
  }
}
