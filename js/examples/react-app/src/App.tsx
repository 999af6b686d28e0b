import {
  LatchkeyLoaded,
  LatchkeyLoading,
  SignedIn,
  SignedOut,
  useAuth,
  useLatchkeySnapshot,
  useUser,
} from "@latchkey/react";
import { useState } from "react";
import { Account } from "./Account";
import { ComponentsPage } from "./Components";
import { SignIn } from "./SignIn";
import { SignUp } from "./SignUp";

/**
 * The whole app: a header, then the sign-in or sign-up forms, or the signed-in page; under
 * `/components` the same with the prebuilt components.
 */
export function App() {
  const { status, error } = useLatchkeySnapshot();
  if (window.location.pathname.startsWith("/components")) return <ComponentsPage />;
  return (
    <div className="page">
      <header>
        <h1>Latchkey example</h1>
        <SignedIn>
          <SignOutButton />
        </SignedIn>
      </header>
      <main>
        {status === "error" ? (
          <p role="alert">Latchkey did not load: {error?.message}</p>
        ) : (
          <LatchkeyLoading>
            <p>Loading…</p>
          </LatchkeyLoading>
        )}
        <LatchkeyLoaded>
          <SignedOut>
            <Welcome />
          </SignedOut>
          <SignedIn>
            <Account />
          </SignedIn>
        </LatchkeyLoaded>
      </main>
    </div>
  );
}

function Welcome() {
  const [mode, setMode] = useState<"sign-in" | "sign-up">("sign-in");
  return (
    <section data-state="signed-out">
      <nav className="tabs">
        <button type="button" aria-pressed={mode === "sign-in"} onClick={() => setMode("sign-in")}>
          I have an account
        </button>
        <button type="button" aria-pressed={mode === "sign-up"} onClick={() => setMode("sign-up")}>
          I am new here
        </button>
      </nav>
      {mode === "sign-in" ? <SignIn /> : <SignUp />}
    </section>
  );
}

function SignOutButton() {
  const { signOut } = useAuth();
  const { user } = useUser();
  return (
    <div className="who">
      <span>{user?.primaryEmailAddress?.emailAddress}</span>
      <button type="button" onClick={() => void signOut()}>
        Sign out
      </button>
    </div>
  );
}
