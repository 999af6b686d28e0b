/** @jsxImportSource preact */
// What SignIn and SignUp show to someone signed in (with no redirect to follow): who, and a way
// out.
import { useUi } from "./context";
import type { FormError } from "./errors";
import { useAction } from "./use-action";
import { Avatar, Button, Card, ErrorBanner, Header } from "./primitives";
import { goToPropUrl } from "./redirect";

/** "You are signed in as …" with a sign-out button (then `afterSignOutUrl`, if given), and
 * `error`: why a redirect after signing in did not happen. */
export function SignedInCard(props: { title: string; error?: FormError | undefined }) {
  const { latchkey, snapshot, t, props: shared } = useUi();
  const action = useAction([]);
  const user = snapshot.user;
  const identifier =
    user?.primaryEmailAddress?.emailAddress ?? user?.username ?? user?.fullName ?? "";
  return (
    <Card part="signedIn">
      <Header title={props.title} subtitle={t("common.signedInAs", { identifier })} />
      <ErrorBanner error={action.formError ?? props.error} />
      <div class="lk-actions">
        <Avatar name={user?.fullName ?? identifier} imageUrl={user?.imageUrl} size="large" />
      </div>
      <div class="lk-form">
        <Button
          variant="secondary"
          busy={action.busy}
          onClick={() =>
            void action.run(async () => {
              await latchkey.signOut({ sessionId: snapshot.session?.id });
              if (shared.afterSignOutUrl) goToPropUrl(shared.afterSignOutUrl);
            })
          }
        >
          {t("signIn.signOut")}
        </Button>
      </div>
    </Card>
  );
}
