import { useSignIn } from "@latchkey/react";
import { useState } from "react";
import { useFormAction } from "./form";

/** A custom sign-in: email address and password, then an authenticator code when one is asked for. */
export function SignIn() {
  const { isLoaded, signIn, setActive } = useSignIn();
  const [step, setStep] = useState<"password" | "totp">("password");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const { error, busy, run } = useFormAction();
  if (!isLoaded) return null;

  const finish = async (status: string | null, sessionId: string | null) => {
    if (status === "COMPLETE" && sessionId) await setActive({ session: sessionId });
    else if (status === "NEEDS_SECOND_FACTOR") setStep("totp");
    else throw new Error(`This sign-in cannot go on here (${status ?? "no status"}).`);
  };

  const withPassword = run(async () => {
    let attempt = await signIn.create({ identifier: email, password });
    if (attempt.status === "NEEDS_FIRST_FACTOR")
      attempt = await attempt.attemptFirstFactor({ strategy: "PASSWORD", password });
    await finish(attempt.status, attempt.createdSessionId);
  });

  const withTotp = run(async () => {
    const attempt = await signIn.attemptSecondFactor({ strategy: "TOTP", code: code.trim() });
    await finish(attempt.status, attempt.createdSessionId);
  });

  return step === "password" ? (
    <form onSubmit={withPassword} aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">Sign in</h2>
      <label>
        Email address
        <input
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </label>
      <label>
        Password
        <input
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      {error && <p role="alert">{error}</p>}
      <button type="submit" disabled={busy}>
        Sign in
      </button>
    </form>
  ) : (
    <form onSubmit={withTotp} aria-labelledby="totp-title">
      <h2 id="totp-title">Two-step verification</h2>
      <p>Enter the code from your authenticator app.</p>
      <label>
        Authenticator code
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
