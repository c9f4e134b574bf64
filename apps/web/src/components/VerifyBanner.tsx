import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { type Me, trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { Status } from "./Alert.tsx";
import { Button } from "./SubmitButton.tsx";
import styles from "./VerifyBanner.module.css";

/** Shown on every page while the account's e-mail address is unconfirmed. */
export function VerifyBanner({ me }: { me: Me }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const resend = useMutation(
    trpc.auth.resendVerification.mutationOptions({
      onSuccess: ({ alreadyVerified }) => {
        if (alreadyVerified) void queryClient.invalidateQueries(trpc.auth.me.queryFilter());
        else setStatus({ tone: "success", text: `Sent. Check ${me.email} for the new link.` });
      },
      onError: (error) => setStatus({ tone: "error", text: describeError(error).message }),
    }),
  );
  return (
    <section className={styles.banner} aria-label="E-mail confirmation">
      <div className={styles.inner}>
        <p>
          <strong>Please confirm your e-mail address.</strong> We sent a link to <span className={styles.email}>{me.email}</span>.
        </p>
        <Button
          variant="secondary"
          className="btn-small"
          pending={resend.isPending}
          pendingLabel="Sending…"
          onClick={() => {
            setStatus(null);
            resend.mutate();
          }}
        >
          Resend e-mail
        </Button>
        <Status tone={status?.tone}>{status?.text}</Status>
      </div>
    </section>
  );
}
