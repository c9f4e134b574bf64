import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect, useRef } from "react";
import { Link, useSearchParams } from "react-router";
import { Notice, Status } from "../components/Alert.tsx";
import { AuthCard } from "../components/AuthCard.tsx";
import { Button } from "../components/SubmitButton.tsx";
import { meQuery, trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

/** Opened from the confirmation e-mail: confirms once, then says how it went. */
export function VerifyEmailPage() {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const queryClient = useQueryClient();
  const me = useQuery(meQuery()).data ?? null;
  const verify = useMutation(
    trpc.auth.verifyEmail.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.auth.me.queryFilter()),
    }),
  );
  const resend = useMutation(trpc.auth.resendVerification.mutationOptions());

  // A link works once: never send it twice (React may run effects twice in development).
  const sent = useRef<string | null>(null);
  useEffect(() => {
    if (token.length >= 16 && sent.current !== token) {
      sent.current = token;
      verify.mutate({ token });
    }
  }, [token, verify.mutate]);

  const next = me ? (
    <Link className="btn btn-primary" to="/">
      Continue to Inkwell
    </Link>
  ) : (
    <Link className="btn btn-primary" to="/sign-in">
      Sign in
    </Link>
  );

  let body: ReactNode;
  if (token.length < 16) {
    body = (
      <Notice tone="error" title="This link is incomplete">
        <p>Open the link from the e-mail again, or copy the whole address into your browser.</p>
      </Notice>
    );
  } else if (verify.isSuccess) {
    body = (
      <>
        <Notice tone="success" title="Your e-mail address is confirmed">
          <p>Thanks! Your account is all set.</p>
        </Notice>
        {next}
      </>
    );
  } else if (verify.isError) {
    body = (
      <>
        <Notice tone="error" title="We couldn't confirm your e-mail address">
          <p>{describeError(verify.error).message}</p>
        </Notice>
        {me && !me.emailVerified ? (
          <>
            <Button variant="primary" pending={resend.isPending} pendingLabel="Sending…" onClick={() => resend.mutate()}>
              Send a new link
            </Button>
            <Status tone={resend.isError ? "error" : "success"}>
              {resend.isSuccess
                ? `Sent. Check ${me.email} for the new link.`
                : resend.isError
                  ? describeError(resend.error).message
                  : null}
            </Status>
          </>
        ) : (
          next
        )}
      </>
    );
  } else {
    body = (
      <p className="loading" role="status">
        <span className="spinner" aria-hidden="true" /> Confirming your e-mail address…
      </p>
    );
  }

  return (
    <AuthCard title="Confirm your e-mail">
      <title>Confirm e-mail · Inkwell</title>
      <div aria-live="polite">{body}</div>
    </AuthCard>
  );
}
