import { changePasswordInput, PASSWORD_MIN } from "@inkwell/domain/identity/schemas";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { trpc } from "../../lib/api.ts";
import { type FieldErrors, useForm, type Values, zodValidator } from "../../lib/form.ts";
import { FormError, Status } from "../Alert.tsx";
import { SubmitButton } from "../SubmitButton.tsx";
import { TextField } from "../TextField.tsx";

type Field = "currentPassword" | "newPassword" | "confirm";
const schemaCheck = zodValidator<Field>(changePasswordInput, (v) => ({
  currentPassword: v.currentPassword,
  newPassword: v.newPassword,
}));
const validate = (v: Values<Field>): FieldErrors<Field> => ({
  ...schemaCheck(v),
  ...(v.confirm !== v.newPassword ? { confirm: v.confirm ? "The passwords do not match" : "Repeat the new password" } : {}),
});

export function ChangePasswordSection() {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<string | null>(null);
  const form = useForm<Field>({ initial: { currentPassword: "", newPassword: "", confirm: "" }, validate });
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: () => {
        form.reset();
        setStatus("Password changed. Your other devices were signed out.");
        // This browser got a fresh session; the others are gone.
        void queryClient.invalidateQueries(trpc.sessions.list.queryFilter());
      },
      onError: (error) => form.fail(error),
    }),
  );

  return (
    <section className="card">
      <h2>Change password</h2>
      <p className="muted">Changing your password signs you out on every other device.</p>
      <form
        className="stack"
        noValidate
        onSubmit={form.submit((v) => {
          if (change.isPending) return;
          setStatus(null);
          change.mutate({ currentPassword: v.currentPassword, newPassword: v.newPassword });
        })}
      >
        <FormError problem={form.formError} />
        <TextField
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          {...form.field("currentPassword")}
        />
        <div className="field-row">
          <TextField
            label="New password"
            type="password"
            autoComplete="new-password"
            required
            hint={`At least ${PASSWORD_MIN} characters.`}
            {...form.field("newPassword")}
          />
          <TextField
            label="Confirm new password"
            type="password"
            autoComplete="new-password"
            required
            {...form.field("confirm")}
          />
        </div>
        <div className="form-actions">
          <SubmitButton pending={change.isPending} pendingLabel="Changing password…">
            Change password
          </SubmitButton>
          <Status>{status}</Status>
        </div>
      </form>
    </section>
  );
}
