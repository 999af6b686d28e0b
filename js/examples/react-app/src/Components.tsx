import {
  type Appearance,
  LatchkeyLoaded,
  SignedIn,
  SignedOut,
  SignIn,
  SignUp,
  UserButton,
  useLatchkey,
  useUser,
} from "@latchkey/react";

/** With `?brand` in the address: the appearance prop at work (colours, radius, one element). */
const BRAND: Appearance = {
  variables: { colorPrimary: "#0a7d38", borderRadius: "2px" },
  elements: { card: { borderWidth: "3px", borderColor: "#0a7d38" } },
};

/**
 * `/components` (and `/components/sign-up`): the same sign-in and sign-up as the custom forms,
 * with Latchkey's prebuilt components mounted through @latchkey/react, and UserButton once
 * signed in. The page's own CSS (buttons, inputs, alerts) does not reach into them.
 */
export function ComponentsPage() {
  const signingUp = window.location.pathname.startsWith("/components/sign-up");
  const query = new URLSearchParams(window.location.search);
  const appearance = query.has("brand") ? BRAND : undefined;
  // `?routing=hash`: SignIn keeps its step in the address (#/password), so Back goes back.
  const routing = query.get("routing") === "hash" ? "hash" : undefined;
  return (
    <div className="page">
      <header>
        <h1>Prebuilt components</h1>
        <SignedIn>
          <UserButton afterSignOutUrl="/components" />
        </SignedIn>
      </header>
      <main>
        <LatchkeyLoaded>
          <SignedOut>
            {signingUp ? (
              <SignUp signInUrl="/components" appearance={appearance} />
            ) : (
              <SignIn signUpUrl="/components/sign-up" appearance={appearance} routing={routing} />
            )}
            <OpenModal />
          </SignedOut>
          <SignedIn>
            <SignedInNote />
          </SignedIn>
        </LatchkeyLoaded>
      </main>
    </div>
  );
}

function SignedInNote() {
  const { user } = useUser();
  return (
    <section data-state="signed-in" aria-labelledby="components-account">
      <h2 id="components-account">Signed in with the components</h2>
      <p>
        Signed in as{" "}
        <strong data-testid="user-email">{user?.primaryEmailAddress?.emailAddress}</strong>
      </p>
    </section>
  );
}

/** A button that opens the sign-in form in a modal (`latchkey.openSignIn`). */
function OpenModal() {
  const latchkey = useLatchkey();
  return (
    <p className="modal-opener">
      <button
        type="button"
        onClick={() => latchkey.openSignIn({ signUpUrl: "/components/sign-up" })}
      >
        Sign in in a modal
      </button>
    </p>
  );
}
