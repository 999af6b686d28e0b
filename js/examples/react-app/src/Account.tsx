import { useAuth, useUser } from "@latchkey/react";
import { type FormEvent, useState } from "react";
import type { ApiMe } from "../api";
import { describeError } from "./errors";

/** The signed-in page: who is signed in, a call to the app's own API, two-step verification. */
export function Account() {
  const { user } = useUser();
  if (!user) return null;
  return (
    <section data-state="signed-in" aria-labelledby="account-title">
      <h2 id="account-title">Your account</h2>
      <p>
        Signed in as{" "}
        <strong data-testid="user-email">{user.primaryEmailAddress?.emailAddress}</strong>
      </p>
      <ApiCall />
      <TwoStep />
    </section>
  );
}

/** Calls `GET /api/me` with the session token; the app's server verifies it. */
function ApiCall() {
  const { getToken } = useAuth();
  const [answer, setAnswer] = useState<ApiMe | null>(null);
  const [error, setError] = useState<string | null>(null);

  const call = async () => {
    setError(null);
    try {
      const token = await getToken();
      const response = await fetch("/api/me", { headers: { Authorization: `Bearer ${token}` } });
      const body = (await response.json()) as ApiMe & { error?: string };
      if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
      setAnswer(body);
    } catch (failure) {
      setAnswer(null);
      setError(describeError(failure));
    }
  };

  return (
    <div className="card">
      <h3>The app's API</h3>
      <button type="button" onClick={call}>
        Call the API
      </button>
      {error && <p role="alert">{error}</p>}
      {answer && (
        <dl data-testid="api-answer">
          <dt>User</dt>
          <dd data-testid="api-user">{answer.userId}</dd>
          <dt>Session</dt>
          <dd data-testid="api-session">{answer.sessionId}</dd>
          <dt>Token expires</dt>
          <dd>{new Date(answer.expiresAt).toLocaleTimeString()}</dd>
        </dl>
      )}
    </div>
  );
}

/** Enrols an authenticator app (TOTP): its secret, a first code, then the backup codes. */
function TwoStep() {
  const { user } = useUser();
  const [secret, setSecret] = useState<{ secret: string; uri: string } | null>(null);
  const [code, setCode] = useState("");
  const [backupCodes, setBackupCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!user) return null;

  const start = async () => {
    setError(null);
    try {
      setSecret(await user.createTotp());
    } catch (failure) {
      setError(describeError(failure));
    }
  };
  const verify = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      setBackupCodes((await user.verifyTotp({ code: code.trim() })).codes);
      setSecret(null);
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  return (
    <div className="card">
      <h3>Two-step verification</h3>
      {backupCodes ? (
        <>
          <p>Two-step verification is on. Keep these backup codes somewhere safe:</p>
          <ul className="codes">
            {backupCodes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
        </>
      ) : user.totpEnabled ? (
        <p>Two-step verification is on.</p>
      ) : secret ? (
        <form onSubmit={verify}>
          <p>
            Add this key to your authenticator app:{" "}
            <code data-testid="totp-secret">{secret.secret}</code>
          </p>
          <label>
            Code from the app
            <input
              inputMode="numeric"
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          </label>
          <button type="submit">Turn on</button>
        </form>
      ) : (
        <button type="button" onClick={start}>
          Set up two-step verification
        </button>
      )}
      {error && <p role="alert">{error}</p>}
    </div>
  );
}
