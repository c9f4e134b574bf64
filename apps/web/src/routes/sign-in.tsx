import { signInInput } from "@inkwell/domain/identity/schemas";
import { useMutation } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { FormError, Notice } from "../components/Alert.tsx";
import authStyles from "../components/AuthCard.module.css";
import { AuthCard } from "../components/AuthCard.tsx";
import { OAuthButtons } from "../components/auth/oauth-buttons.tsx";
import { SubmitButton } from "../components/SubmitButton.tsx";
import { TextField } from "../components/TextField.tsx";
import { forgetSignOutReason, lastSignOutReason, type SignOutReason, signedIn, trpc } from "../lib/api.ts";
import { useForm, zodValidator } from "../lib/form.ts";
import { safeNext } from "../lib/format.ts";

const NOTICES: Record<SignOutReason, string> = {
  "signed-out": "You're signed out. See you soon!",
  "signed-out-everywhere": "You've been signed out on all your devices.",
  expired: "Your session has ended. Please sign in again.",
  "password-reset": "Your password was changed. Sign in with your new password.",
};

export function SignInPage() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const [notice] = useState(() => lastSignOutReason());
  useEffect(() => forgetSignOutReason, []);

  const form = useForm({
    initial: { email: params.get("email") ?? "", password: "" },
    validate: zodValidator(signInInput, (v) => v),
  });
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      onSuccess: ({ me }) => {
        signedIn(me);
        void navigate(next ?? "/", { replace: true });
      },
      onError: (error) => form.fail(error),
    }),
  );

  return (
    <AuthCard
      title="Sign in"
      intro={<p>Welcome back to Inkwell.</p>}
      footer={
        <p>
          New to Inkwell? <Link to="/sign-up">Create an account</Link>
        </p>
      }
    >
      <title>Sign in · Inkwell</title>
      {notice && <Notice tone={notice === "expired" ? "info" : "success"}>{NOTICES[notice]}</Notice>}
      <OAuthButtons next={next} />
      <form noValidate onSubmit={form.submit((v) => !signIn.isPending && signIn.mutate(v))}>
        <FormError problem={form.formError} />
        <TextField label="E-mail" type="email" autoComplete="email" required {...form.field("email")} />
        <TextField label="Password" type="password" autoComplete="current-password" required {...form.field("password")} />
        <p className={authStyles.aside}>
          <Link to={`/forgot-password${form.values.email ? `?email=${encodeURIComponent(form.values.email)}` : ""}`}>
            Forgot your password?
          </Link>
        </p>
        <SubmitButton className="btn-block" pending={signIn.isPending} pendingLabel="Signing in…">
          Sign in
        </SubmitButton>
      </form>
    </AuthCard>
  );
}
