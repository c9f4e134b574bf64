import { PASSWORD_MIN, resetPasswordInput } from "@inkwell/domain/identity/schemas";
import { useMutation } from "@tanstack/react-query";
import { Link, useNavigate, useSearchParams } from "react-router";
import { FormError, Notice } from "../components/Alert.tsx";
import { AuthCard } from "../components/AuthCard.tsx";
import { SubmitButton } from "../components/SubmitButton.tsx";
import { TextField } from "../components/TextField.tsx";
import { signedOut, trpc } from "../lib/api.ts";
import { type FieldErrors, useForm, type Values, zodValidator } from "../lib/form.ts";

type Field = "password" | "confirm";

export function ResetPasswordPage() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const schemaCheck = zodValidator<Field>(resetPasswordInput, (v) => ({ token, password: v.password }));
  const form = useForm<Field>({
    initial: { password: "", confirm: "" },
    validate: (v: Values<Field>): FieldErrors<Field> => ({
      ...schemaCheck(v),
      ...(v.confirm !== v.password ? { confirm: v.confirm ? "The passwords do not match" : "Repeat the new password" } : {}),
    }),
  });
  const reset = useMutation(
    trpc.auth.resetPassword.mutationOptions({
      onSuccess: () => {
        // Every session of the account has ended, including this browser's if it was signed in.
        signedOut("password-reset");
        void navigate("/sign-in", { replace: true });
      },
      onError: (error) => form.fail(error),
    }),
  );

  const footer = (
    <p>
      Need a new link? <Link to="/forgot-password">Request another one</Link>
    </p>
  );

  if (token.length < 16) {
    return (
      <AuthCard title="Choose a new password" footer={footer}>
        <title>Reset password · Inkwell</title>
        <Notice tone="error" title="This link is incomplete">
          <p>Open the link from the e-mail again, or copy the whole address into your browser.</p>
        </Notice>
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title="Choose a new password"
      intro={<p>After the change you'll be signed out everywhere, and can sign in with the new password.</p>}
      footer={footer}
    >
      <title>Reset password · Inkwell</title>
      <form noValidate onSubmit={form.submit((v) => !reset.isPending && reset.mutate({ token, password: v.password }))}>
        <FormError problem={form.formError} />
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          hint={`At least ${PASSWORD_MIN} characters.`}
          {...form.field("password")}
        />
        <TextField label="Confirm new password" type="password" autoComplete="new-password" required {...form.field("confirm")} />
        <SubmitButton className="btn-block" pending={reset.isPending} pendingLabel="Saving…">
          Set new password
        </SubmitButton>
      </form>
    </AuthCard>
  );
}
