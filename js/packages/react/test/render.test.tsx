import { Latchkey } from "@latchkey/js";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import {
  LatchkeyLoaded,
  LatchkeyLoading,
  LatchkeyProvider,
  Protect,
  SignedIn,
  SignedOut,
  useAuth,
  useUser,
} from "../src";

function Page() {
  const auth = useAuth();
  const { user } = useUser();
  return (
    <main>
      <LatchkeyLoading>loading;</LatchkeyLoading>
      <LatchkeyLoaded>loaded;</LatchkeyLoaded>
      <SignedIn>in;</SignedIn>
      <SignedOut>out;</SignedOut>
      <Protect role="org:admin" fallback="not-admin;">
        admin;
      </Protect>
      {`isLoaded=${auth.isLoaded};isSignedIn=${auth.isSignedIn};user=${user === undefined ? "undefined" : "set"}`}
    </main>
  );
}

const render = (initialState?: ConstructorParameters<typeof Latchkey>[1]["initialState"]) =>
  renderToString(
    <LatchkeyProvider
      publishableKey="pk_test_x"
      apiUrl="http://127.0.0.1:8080"
      initialState={initialState}
    >
      <Page />
    </LatchkeyProvider>,
  ).replace(/<!-- -->/g, "");

describe("server rendering", () => {
  it("renders the loading state without an initial state: nothing signed in or out", () => {
    expect(render()).toBe(
      "<main>loading;isLoaded=false;isSignedIn=undefined;user=undefined</main>",
    );
  });

  it("renders what the initial state says, as the first client render will", () => {
    expect(
      render({ sessionId: "sess_1", userId: "user_1", orgId: "org_1", orgRole: "org:admin" }),
    ).toBe("<main>loading;in;admin;isLoaded=true;isSignedIn=true;user=undefined</main>");
    expect(render({ sessionId: null, userId: null })).toBe(
      "<main>loading;out;not-admin;isLoaded=true;isSignedIn=false;user=undefined</main>",
    );
    expect(
      render({ sessionId: "sess_1", userId: "user_1", orgId: "org_1", orgRole: "org:member" }),
    ).toContain("not-admin;");
  });

  it("uses the snapshot made at construction even after the object loaded", () => {
    const latchkey = new Latchkey("pk_test_x", { apiUrl: "http://x", liveUpdates: false });
    const initial = latchkey.getInitialSnapshot();
    expect(latchkey.getSnapshot()).toBe(initial);
    const html = renderToString(
      <LatchkeyProvider publishableKey="pk_test_x" apiUrl="http://x" latchkey={latchkey}>
        <Page />
      </LatchkeyProvider>,
    );
    expect(html).toContain("loading;");
  });
});
