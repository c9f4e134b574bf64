/**
 * An invitation (/invite?token=…): says which family and role it is for; a signed-in person joins with
 * one click, someone without an account creates one here (the invited address filled in) and lands in
 * the campaign.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { FormError } from "../components/Alert.tsx";
import { SubmitButton } from "../components/SubmitButton.tsx";
import { Field } from "../components/stories/Field.tsx";
import s from "../components/stories/stories.module.css";
import { meQuery, signedIn, trpc, trpcClient } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

export function StoriesInvitePage() {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const navigate = useNavigate();
  const qc = useQueryClient();
  const me = useQuery(meQuery());
  const invitation = useQuery({ ...trpc.stories.family.invitation.queryOptions({ token }), retry: false });
  const [password, setPassword] = useState("");
  const accept = useMutation({
    mutationFn: async (signUp: { email: string; name: string } | null) => {
      if (signUp) {
        await trpcClient.auth.signUp.mutate({ email: signUp.email, password, displayName: signUp.name || undefined });
        const res = await trpcClient.auth.signIn.mutate({ email: signUp.email, password, delivery: "cookie" });
        signedIn(res.me);
      }
      return trpcClient.stories.family.accept.mutate({ token });
    },
    onSuccess: async ({ campaignId }) => {
      await qc.invalidateQueries();
      void navigate(`/stories/${campaignId}`);
    },
  });

  function signUp(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    accept.mutate({ email: String(f.get("email") ?? ""), name: String(f.get("name") ?? "") });
  }

  const inv = invitation.data;
  return (
    <main id="main" className={s.answer}>
      <title>Invitation · Inkwell</title>
      <h1>Join the family</h1>
      {invitation.isError && <FormError problem={describeError(invitation.error)} />}
      {inv && (
        <>
          <p>
            You are invited to <strong>{inv.campaignTitle}</strong>, {inv.storytellerName}'s life stories, as a {inv.role}.
          </p>
          <FormError problem={accept.error ? describeError(accept.error, ["email", "password"]) : null} />
          {me.data ? (
            <SubmitButton pending={accept.isPending} onClick={() => accept.mutate(null)}>
              Join as {me.data.email}
            </SubmitButton>
          ) : (
            <>
              <form className={s.form} onSubmit={signUp} aria-label="Create an account and join">
                <h2>New to Inkwell? Create an account</h2>
                <Field label="E-mail" name="email" type="email" required defaultValue={inv.email} />
                <Field label="Your name" name="name" optional maxLength={80} />
                <Field
                  label="Password"
                  type="password"
                  autoComplete="new-password"
                  required
                  minLength={8}
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                />
                <SubmitButton pending={accept.isPending} pendingLabel="Joining…">
                  Create account and join
                </SubmitButton>
              </form>
              <p>
                Already have an account? <Link to={`/sign-in?next=${encodeURIComponent(`/invite?token=${token}`)}`}>Sign in</Link>{" "}
                (you come back here to join).
              </p>
            </>
          )}
        </>
      )}
    </main>
  );
}
