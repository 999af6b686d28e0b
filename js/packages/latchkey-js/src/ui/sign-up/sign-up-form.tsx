/** @jsxImportSource preact */
// SignUp's first step: the fields the instance asks for, required or optional.
import { useState } from "preact/hooks";
import type { FieldRequirement, SignUpInput } from "../../generated/graphql";
import type { SignUpResource } from "../../resources/sign-up";
import { useUi } from "../context";
import { Button, Card, ErrorBanner, Field, Footer, Form, Header, Link } from "../primitives";
import type { SignUpProps } from "../props";
import { PasswordHint, passwordPolicyField } from "../password-policy";
import { linkKeepingRedirect } from "../redirect";
import { useAction } from "../use-action";
import { requiredError } from "../errors";

const FIELDS = ["firstName", "lastName", "username", "emailAddress", "password"] as const;
type FieldName = (typeof FIELDS)[number];

/** The sign-up form; `advance` takes the server's answer on. */
export function SignUpForm(
  props: SignUpProps & {
    signUp: SignUpResource;
    advance: (result: SignUpResource) => Promise<void>;
  },
) {
  const { environment, t, mode } = useUi();
  const initial = props.initialValues ?? {};
  const [values, setValues] = useState<Record<FieldName, string>>({
    firstName: initial.firstName ?? props.signUp.firstName ?? "",
    lastName: initial.lastName ?? props.signUp.lastName ?? "",
    username: initial.username ?? props.signUp.username ?? "",
    emailAddress: initial.emailAddress ?? props.signUp.emailAddress ?? "",
    password: "",
  });
  const action = useAction(FIELDS, passwordPolicyField);
  const settings = environment?.signUp;
  const need = (field: FieldName): FieldRequirement => settings?.[field] ?? "OFF";
  const restricted = settings?.mode === "RESTRICTED";

  const field = (
    name: FieldName,
    label: string,
    extra: Partial<Parameters<typeof Field>[0]> = {},
  ) =>
    need(name) === "OFF" ? null : (
      <Field
        label={label}
        name={name}
        value={values[name]}
        onValue={(value) => setValues({ ...values, [name]: value })}
        error={action.fieldError(name)}
        required={need(name) === "REQUIRED"}
        optionalText={need(name) === "OPTIONAL" ? t("common.optional") : undefined}
        {...extra}
      />
    );

  const submit = () =>
    void action.run(async () => {
      const input: SignUpInput = {};
      for (const name of FIELDS) {
        const value = name === "password" ? values[name] : values[name].trim();
        if (need(name) === "REQUIRED" && value === "") throw requiredError(name, t);
        if (need(name) !== "OFF" && value !== "") input[name] = value;
      }
      if (props.unsafeMetadata) input.unsafeMetadata = props.unsafeMetadata;
      await props.advance(await props.signUp.create(input));
    });

  const names = need("firstName") !== "OFF" || need("lastName") !== "OFF";
  return (
    <Card part="signUp">
      <Header
        title={t("signUp.title")}
        subtitle={environment ? t("signUp.subtitle", { name: environment.name }) : undefined}
      />
      {restricted && (
        <p class="lk-banner lk-banner-success" part="signUpRestricted">
          {t("signUp.restricted")}
        </p>
      )}
      <ErrorBanner error={action.formError} />
      <Form focusFirst={mode !== "mounted"} onSubmit={submit}>
        {names && (
          <div class="lk-row">
            {field("firstName", t("common.firstNameLabel"), { autocomplete: "given-name" })}
            {field("lastName", t("common.lastNameLabel"), { autocomplete: "family-name" })}
          </div>
        )}
        {field("username", t("common.usernameLabel"), { autocomplete: "username" })}
        {field("emailAddress", t("common.emailAddressLabel"), {
          type: "email",
          autocomplete: "email",
          inputMode: "email",
        })}
        {field("password", t("common.passwordLabel"), {
          type: "password",
          autocomplete: "new-password",
          hint: <PasswordHint password={values.password} />,
        })}
        <Button busy={action.busy}>{t("signUp.submit")}</Button>
      </Form>
      <SignInLink />
    </Card>
  );
}

/** "Have an account? Sign in": to `signInUrl`, the SignIn modal, or the Account Portal's page. */
function SignInLink() {
  const { latchkey, props, t, mode, close, open } = useUi();
  const href = props.signInUrl
    ? linkKeepingRedirect(props.signInUrl)
    : mode === "modal"
      ? undefined
      : latchkey.buildSignInUrl();
  return (
    <Footer>
      <span>
        {t("signUp.haveAccount")}{" "}
        <Link
          href={href}
          part="signInLink"
          onClick={
            href === undefined
              ? () => {
                  close();
                  open("SignIn", props);
                }
              : undefined
          }
        >
          {t("signUp.signInLink")}
        </Link>
      </span>
    </Footer>
  );
}
