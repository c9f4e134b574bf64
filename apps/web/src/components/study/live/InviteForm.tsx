/**
 * The host's invitation by e-mail (`study.live.invite`): someone with an Inkwell account finds it in their
 * notifications, with the code, while the game runs. The API answers the same whether or not the address
 * has an account (it tells nothing about who uses Inkwell), and so does this form.
 */
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { trpc } from "../../../lib/api.ts";
import { describeError } from "../../../lib/errors.ts";
import { FormError, Status } from "../../Alert.tsx";
import { SubmitButton } from "../../SubmitButton.tsx";
import { TextField } from "../../TextField.tsx";
import s from "./live.module.css";

export function InviteForm({ sessionId }: { sessionId: string }) {
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState<string | null>(null);
  const invite = useMutation(
    trpc.study.live.invite.mutationOptions({
      onSuccess: (_ok, input) => {
        setEmail("");
        setSent(`Invitation sent to ${input.email}. If that address has an Inkwell account, it is in their notifications.`);
      },
      onError: () => setSent(null),
    }),
  );
  const problem = invite.isError ? describeError(invite.error, ["email"]) : null;
  return (
    <section className={`stack ${s.invite}`} aria-labelledby="live-invite-heading">
      <h2 id="live-invite-heading" className="section-title">
        Invite by e-mail
      </h2>
      <p className="muted">Someone with an Inkwell account gets the game's code in their notifications.</p>
      <form
        className="stack"
        aria-labelledby="live-invite-heading"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (invite.isPending) return;
          setSent(null);
          invite.mutate({ sessionId, email: email.trim() });
        }}
      >
        <FormError problem={problem?.message ? problem : null} />
        <div className={s.inviteRow}>
          <TextField
            label="E-mail address"
            name="email"
            type="email"
            autoComplete="off"
            maxLength={320}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            onBlur={() => undefined}
            inputRef={() => undefined}
            error={problem?.fieldErrors.email}
          />
          <SubmitButton variant="secondary" pending={invite.isPending} pendingLabel="Sending…">
            Send invitation
          </SubmitButton>
        </div>
        <Status>{sent}</Status>
      </form>
    </section>
  );
}
