import { useSignUp } from "@latchkey/react";
import { useState } from "react";
import { useFormAction } from "./form";

/** A custom sign-up: email address and password, then the code mailed to that address. */
export function SignUp() {
  const { isLoaded, signUp, setActive } = useSignUp();
  const [step, setStep] = useState<"details" | "code">("details");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const { error, busy, run } = useFormAction();
  if (!isLoaded) return null;

  const start = run(async () => {
    // After a failure to send the code (RATE_LIMITED, say), the sign-up made for the same
    // address is kept: trying again only sends the code.
    const current =
      signUp.status === "MISSING_REQUIREMENTS" && signUp.emailAddress === email
        ? signUp
        : await signUp.create({ emailAddress: email, password });
    await current.prepareEmailAddressVerification();
    setStep("code");
  });

  const verify = run(async () => {
    const done = await signUp.attemptEmailAddressVerification({ code: code.trim() });
    if (done.status !== "COMPLETE" || !done.createdSessionId) {
      throw new Error(
        `Sign-up still needs: ${[...done.missingFields, ...done.unverifiedFields].join(", ")}`,
      );
    }
    await setActive({ session: done.createdSessionId });
  });

  return step === "details" ? (
    <form onSubmit={start} aria-labelledby="sign-up-title">
      <h2 id="sign-up-title">Create your account</h2>
      <label>
        Email address
        <input
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </label>
      <label>
        Password
        <input
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      {error && <p role="alert">{error}</p>}
      <button type="submit" disabled={busy}>
        Continue
      </button>
    </form>
  ) : (
    <form onSubmit={verify} aria-labelledby="verify-title">
      <h2 id="verify-title">Check your email</h2>
      <p>We sent a code to {email}.</p>
      <label>
        Verification code
        <input
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
      </label>
      {error && <p role="alert">{error}</p>}
      <button type="submit" disabled={busy}>
        Verify
      </button>
    </form>
  );
}
