import { PASSWORD_MIN, signUpInput } from "@inkwell/domain/identity/schemas";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { FormError, Notice } from "../components/Alert.tsx";
import { AuthCard } from "../components/AuthCard.tsx";
import { OAuthButtons } from "../components/auth/oauth-buttons.tsx";
import { SubmitButton } from "../components/SubmitButton.tsx";
import { TextField } from "../components/TextField.tsx";
import { signedIn, trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { useForm, type Values, zodValidator } from "../lib/form.ts";

type Field = "displayName" | "email" | "password";
const toInput = (v: Values<Field>) => ({
  email: v.email,
  password: v.password,
  displayName: v.displayName.trim() === "" ? undefined : v.displayName,
});

export function SignUpPage() {
  const navigate = useNavigate();
  const form = useForm<Field>({
    initial: { displayName: "", email: "", password: "" },
    validate: zodValidator(signUpInput, toInput),
  });
  const [sentTo, setSentTo] = useState<string | null>(null);
  // Sign-up answers the same whether or not the address already has an account (so it cannot be used to
  // find out), and signs nobody in. A new account then signs in with the password just chosen; if that is
  // refused, the address belonged to an account already and its holder has been mailed what happened.
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      onSuccess: ({ me }) => {
        signedIn(me);
        void navigate("/", { replace: true });
      },
      onError: (error, input) => {
        if (describeError(error).code === "UNAUTHORIZED") setSentTo(input.email.trim().toLowerCase());
        else form.fail(error);
      },
    }),
  );
  const signUp = useMutation(
    trpc.auth.signUp.mutationOptions({
      onSuccess: (_data, input) => signIn.mutate({ email: input.email, password: input.password }),
      onError: (error) => form.fail(error),
    }),
  );
  const pending = signUp.isPending || signIn.isPending;

  return (
    <AuthCard
      title="Create your account"
      intro={<p>Your AI workspace for writing, stories, content and study.</p>}
      footer={
        <p>
          Already have an account? <Link to="/sign-in">Sign in</Link>
        </p>
      }
    >
      <title>Create account · Inkwell</title>
      {sentTo ? (
        <div role="status">
          <Notice tone="info" title="Check your inbox">
            <p>
              We sent a message to <strong>{sentTo}</strong> with the next step. If you already have an account, sign in or reset
              your password from there.
            </p>
          </Notice>
          <p>
            <Link to={`/sign-in?email=${encodeURIComponent(sentTo)}`}>Sign in</Link>
            {" · "}
            <button type="button" className="btn-link" onClick={() => setSentTo(null)}>
              Use a different e-mail address
            </button>
          </p>
        </div>
      ) : (
        <>
          <OAuthButtons />
          <form noValidate onSubmit={form.submit((v) => !pending && signUp.mutate(toInput(v)))}>
            <FormError problem={form.formError} />
            <TextField label="Display name" optional autoComplete="name" maxLength={80} {...form.field("displayName")} />
            <TextField label="E-mail" type="email" autoComplete="email" required {...form.field("email")} />
            <TextField
              label="Password"
              type="password"
              autoComplete="new-password"
              required
              hint={`At least ${PASSWORD_MIN} characters. A few unrelated words make a strong passphrase.`}
              {...form.field("password")}
            />
            <SubmitButton className="btn-block" pending={pending} pendingLabel="Creating account…">
              Create account
            </SubmitButton>
          </form>
        </>
      )}
    </AuthCard>
  );
}
