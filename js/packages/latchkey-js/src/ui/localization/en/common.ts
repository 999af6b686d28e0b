// English texts shared by every component, and the messages of the server's error codes.

/** Words every component uses. */
export const common = {
  continue: "Continue",
  back: "Back",
  cancel: "Cancel",
  close: "Close",
  save: "Save",
  remove: "Remove",
  loading: "Loading…",
  optional: "optional",
  required: "This field is required.",
  securedBy: "Secured by Latchkey",
  emailAddressLabel: "Email address",
  usernameLabel: "Username",
  passwordLabel: "Password",
  newPasswordLabel: "New password",
  codeLabel: "Verification code",
  firstNameLabel: "First name",
  lastNameLabel: "Last name",
  showPassword: "Show password",
  hidePassword: "Hide password",
  resendCode: "Resend code",
  resendCodeIn: "Resend code in {seconds} s",
  codeSent: "We sent a new code.",
  signedInAs: "Signed in as {identifier}",
  seconds: "{count} seconds",
  second: "1 second",
  minutes: "{count} minutes",
  minute: "1 minute",
};

/** Messages for the server's error codes (`LatchkeyError.code`); `{wait}` is a duration. */
export const errors = {
  generic: "Something went wrong. Please try again.",
  VALIDATION_FAILED: "Please check this field.",
  IDENTIFIER_EXISTS: "That is already taken.",
  INVALID_CREDENTIALS: "That password is not right.",
  CODE_INCORRECT: "That code is not right.",
  VERIFICATION_EXPIRED: "That code has expired. Ask for a new one.",
  TOO_MANY_ATTEMPTS: "Too many wrong codes. Ask for a new one.",
  ACCOUNT_LOCKED: "This account is locked for now. Try again in {wait}.",
  RATE_LIMITED: "Too many tries. Try again in {wait}.",
  PASSWORD_TOO_WEAK: "This password is too weak.",
  PASSWORD_COMPROMISED:
    "This password has appeared in a data breach or is too common. Choose another one.",
  SESSION_NOT_ACTIVE: "Your session has ended. Sign in again.",
  NETWORK_ERROR: "The server could not be reached. Check your connection and try again.",
  REVERIFICATION_REQUIRED: "Confirm it is you to go on.",
  FORBIDDEN: "You are not allowed to do that.",
  NOT_FOUND: "That no longer exists.",
  redirectNotAllowed:
    "You are signed in, but the page asked to go back to an address this application does not allow.",
};
