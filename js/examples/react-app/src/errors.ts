import { isLatchkeyError } from "@latchkey/js";

/** A sentence for a person from any failure of the SDK (its code's meaning, else the message). */
export function describeError(error: unknown): string {
  if (!isLatchkeyError(error)) return String(error);
  switch (error.code) {
    case "INVALID_CREDENTIALS":
      return "That email address and password do not match.";
    case "CODE_INCORRECT":
      return "That code is not right. Check it and try again.";
    case "VERIFICATION_EXPIRED":
      return "That code has expired: ask for a new one.";
    case "IDENTIFIER_EXISTS":
      return "An account with that email address exists already: sign in instead.";
    case "PASSWORD_TOO_WEAK":
    case "PASSWORD_COMPROMISED":
      return `Choose another password: ${error.message}`;
    case "ACCOUNT_LOCKED":
    case "RATE_LIMITED":
      return `Too many tries: wait ${error.retryAfter ?? 60} seconds.`;
    case "NETWORK_ERROR":
      return "Latchkey could not be reached. Check your connection.";
    default:
      return error.message;
  }
}
