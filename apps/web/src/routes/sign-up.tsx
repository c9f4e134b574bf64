import { PASSWORD_MIN, signUpInput } from "@inkwell/domain/identity/schemas";
import { useMutation } from "@tanstack/react-query";
import { Link, useNavigate } from "react-router";
import { FormError } from "../components/Alert.tsx";
import { AuthCard } from "../components/AuthCard.tsx";
import { SubmitButton } from "../components/SubmitButton.tsx";
import { TextField } from "../components/TextField.tsx";
import { signedIn, trpc } from "../lib/api.ts";
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
  const signUp = useMutation(
    trpc.auth.signUp.mutationOptions({
      onSuccess: ({ me }) => {
        signedIn(me);
        void navigate("/", { replace: true });
      },
      onError: (error) => form.fail(error),
    }),
  );

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
      <form noValidate onSubmit={form.submit((v) => !signUp.isPending && signUp.mutate(toInput(v)))}>
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
        <SubmitButton className="btn-block" pending={signUp.isPending} pendingLabel="Creating account…">
          Create account
        </SubmitButton>
      </form>
    </AuthCard>
  );
}
