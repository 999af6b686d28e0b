import type { Core } from "../core";
import {
  AttemptSignUpVerificationDocument,
  CreateSignUpDocument,
  PrepareSignUpVerificationDocument,
  type SignUpFieldsFragment,
  type SignUpInput,
  UpdateSignUpDocument,
} from "../generated/graphql";

/** Where a sign-up stands; `null` before one is created. */
export type SignUpStatus = SignUpFieldsFragment["status"];

/**
 * The client's sign-up (Clerk's `SignUp`): create it with the fields the instance asks for,
 * verify the email address with a mailed code, and once `status` is `COMPLETE` make
 * `createdSessionId` active with `latchkey.setActive`.
 */
export class SignUpResource {
  readonly #core: Core;
  /** The sign-up's id; `null` before `create`. */
  readonly id: string | null;
  /** Where it stands; `null` before `create`. */
  readonly status: SignUpStatus | null;
  /** Fields the instance requires, may take, still misses, and has not seen verified. */
  readonly requiredFields: string[];
  readonly optionalFields: string[];
  readonly missingFields: string[];
  readonly unverifiedFields: string[];
  readonly emailAddress: string | null;
  readonly username: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly unsafeMetadata: Record<string, unknown>;
  /** The email address's verification, once prepared. */
  readonly verifications: SignUpFieldsFragment["verifications"];
  /** The user and the session it created, once complete. */
  readonly createdUserId: string | null;
  readonly createdSessionId: string | null;

  /** A resource over the server's data (`null`: no sign-up yet). */
  constructor(core: Core, data: SignUpFieldsFragment | null) {
    this.#core = core;
    this.id = data?.id ?? null;
    this.status = data?.status ?? null;
    this.requiredFields = data?.requiredFields ?? [];
    this.optionalFields = data?.optionalFields ?? [];
    this.missingFields = data?.missingFields ?? [];
    this.unverifiedFields = data?.unverifiedFields ?? [];
    this.emailAddress = data?.emailAddress ?? null;
    this.username = data?.username ?? null;
    this.firstName = data?.firstName ?? null;
    this.lastName = data?.lastName ?? null;
    this.unsafeMetadata = data?.unsafeMetadata ?? {};
    this.verifications = data?.verifications ?? { emailAddress: null };
    this.createdUserId = data?.createdUserId ?? null;
    this.createdSessionId = data?.createdSessionId ?? null;
  }

  async #apply(data: SignUpFieldsFragment): Promise<SignUpResource> {
    await this.#core.applySignUp(data);
    return new SignUpResource(this.#core, data);
  }

  /** Starts a sign-up; completes at once when nothing is missing or unverified. */
  async create(params: SignUpInput): Promise<SignUpResource> {
    const data = await this.#core.asClient(CreateSignUpDocument, { input: params });
    return this.#apply(data.createSignUp);
  }

  /** Changes the sign-up in progress. */
  async update(params: SignUpInput): Promise<SignUpResource> {
    const data = await this.#core.asClient(UpdateSignUpDocument, { input: params });
    return this.#apply(data.updateSignUp);
  }

  /** Mails a verification code to the sign-up's email address. */
  async prepareEmailAddressVerification(): Promise<SignUpResource> {
    const data = await this.#core.asClient(PrepareSignUpVerificationDocument, {
      strategy: "EMAIL_CODE",
    });
    return this.#apply(data.prepareSignUpVerification);
  }

  /** Checks the mailed code; the sign-up completes when nothing else is missing. */
  async attemptEmailAddressVerification(params: { code: string }): Promise<SignUpResource> {
    const data = await this.#core.asClient(AttemptSignUpVerificationDocument, {
      strategy: "EMAIL_CODE",
      code: params.code,
    });
    return this.#apply(data.attemptSignUpVerification);
  }
}
