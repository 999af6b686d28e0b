// English texts of <SignUp/>.

/** `signUp.*` */
export const signUp = {
  title: "Create your account",
  subtitle: "to continue to {name}",
  submit: "Continue",
  passwordHint: "At least {min} characters.",
  passwordTooShort: "Use at least {min} characters ({count} so far).",
  verifyTitle: "Verify your email",
  verifySubtitle: "We sent a code to {emailAddress}",
  verifySubmit: "Verify",
  haveAccount: "Have an account?",
  signInLink: "Sign in",
  restricted: "Sign-up is by invitation only.",
  editEmail: "Change the email address",
  signedInTitle: "You are signed in",
};
