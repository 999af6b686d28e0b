import type { Core } from "../core";
import {
  AttemptEmailAddressVerificationDocument,
  DeleteEmailAddressDocument,
  type EmailAddressFieldsFragment,
  MeDocument,
  PrepareEmailAddressVerificationDocument,
  SetPrimaryEmailAddressDocument,
} from "../generated/graphql";

/** One of the signed-in user's email addresses (Clerk's `EmailAddress`). */
export class EmailAddressResource {
  readonly #core: Core;
  readonly id: string;
  readonly emailAddress: string;
  /** `VERIFIED`, or `UNVERIFIED` until its mailed code is attempted. */
  readonly verification: EmailAddressFieldsFragment["verification"];

  /** A resource over the server's data. */
  constructor(core: Core, data: EmailAddressFieldsFragment) {
    this.#core = core;
    this.id = data.id;
    this.emailAddress = data.emailAddress;
    this.verification = data.verification;
  }

  async #reloadUser(): Promise<void> {
    const data = await this.#core.asUser(MeDocument, {});
    this.#core.applyUser(data.me);
  }

  /** Mails a verification code to this (unverified) address. */
  async prepareVerification(): Promise<EmailAddressResource> {
    const data = await this.#core.asUser(PrepareEmailAddressVerificationDocument, {
      emailAddressId: this.id,
    });
    return new EmailAddressResource(this.#core, data.prepareEmailAddressVerification);
  }

  /** Checks the mailed code; the right one verifies the address. */
  async attemptVerification(params: { code: string }): Promise<EmailAddressResource> {
    const data = await this.#core.asUser(AttemptEmailAddressVerificationDocument, {
      emailAddressId: this.id,
      code: params.code,
    });
    await this.#reloadUser();
    return new EmailAddressResource(this.#core, data.attemptEmailAddressVerification);
  }

  /** Makes this verified address the primary one (a guarded action: may need reverification). */
  async setAsPrimary(): Promise<void> {
    const data = await this.#core.asUser(SetPrimaryEmailAddressDocument, {
      emailAddressId: this.id,
    });
    this.#core.applyUser(data.setPrimaryEmailAddress);
  }

  /** Removes this address (never the primary one; a guarded action). */
  async destroy(): Promise<void> {
    await this.#core.asUser(DeleteEmailAddressDocument, { emailAddressId: this.id });
    await this.#reloadUser();
  }
}
