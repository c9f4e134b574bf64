import { requestPasswordResetInput } from "@inkwell/domain/identity/schemas";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { FormError, Notice } from "../components/Alert.tsx";
import { AuthCard } from "../components/AuthCard.tsx";
import { SubmitButton } from "../components/SubmitButton.tsx";
import { TextField } from "../components/TextField.tsx";
import { trpc } from "../lib/api.ts";
import { useForm, zodValidator } from "../lib/form.ts";

export function ForgotPasswordPage() {
  const [params] = useSearchParams();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const form = useForm({
    initial: { email: params.get("email") ?? "" },
    validate: zodValidator(requestPasswordResetInput, (v) => v),
  });
  const request = useMutation(
    trpc.auth.requestPasswordReset.mutationOptions({
      onSuccess: (_data, input) => setSentTo(input.email),
      onError: (error) => form.fail(error),
    }),
  );

  return (
    <AuthCard
      title="Reset your password"
      intro={<p>Enter the e-mail address of your account and we'll send you a link to choose a new password.</p>}
      footer={
        <p>
          Remembered it? <Link to="/sign-in">Back to sign in</Link>
        </p>
      }
    >
      <title>Forgot password · Inkwell</title>
      {sentTo ? (
        <div role="status">
          <Notice tone="success" title="Check your inbox">
            <p>
              If an account exists for <strong>{sentTo}</strong>, we sent a link to reset its password. The link works once and
              expires in an hour.
            </p>
          </Notice>
          <p>
            <button type="button" className="btn-link" onClick={() => setSentTo(null)}>
              Use a different e-mail address
            </button>
          </p>
        </div>
      ) : (
        <form noValidate onSubmit={form.submit((v) => !request.isPending && request.mutate(v))}>
          <FormError problem={form.formError} />
          <TextField label="E-mail" type="email" autoComplete="email" required {...form.field("email")} />
          <SubmitButton className="btn-block" pending={request.isPending} pendingLabel="Sending link…">
            Send reset link
          </SubmitButton>
        </form>
      )}
    </AuthCard>
  );
}
