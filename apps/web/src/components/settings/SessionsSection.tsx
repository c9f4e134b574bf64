import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { type Outputs, signedOut, trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { describeDevice, formatDateTime, timeAgo } from "../../lib/format.ts";
import { Status } from "../Alert.tsx";
import { Button } from "../SubmitButton.tsx";

type Session = Outputs["sessions"]["list"][number];

export function SessionsSection() {
  const sessions = useQuery(trpc.sessions.list.queryOptions());
  const [status, setStatus] = useState<{ tone: "success" | "error"; text: string } | null>(null);

  return (
    <section className="card">
      <h2>Where you're signed in</h2>
      <p className="muted">Revoke a session you don't recognise. It is signed out the next time it makes a request.</p>
      {sessions.isPending ? (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading sessions…
        </p>
      ) : sessions.isError ? (
        <p className="status status-error" role="alert">
          {describeError(sessions.error).message}
        </p>
      ) : (
        <ul className="list">
          {sessions.data.map((s) => (
            <SessionRow key={s.id} session={s} onDone={setStatus} />
          ))}
        </ul>
      )}
      <Status tone={status?.tone}>{status?.text}</Status>
      <SignOutEverywhere />
    </section>
  );
}

function SessionRow({
  session,
  onDone,
}: {
  session: Session;
  onDone: (status: { tone: "success" | "error"; text: string }) => void;
}) {
  const queryClient = useQueryClient();
  const device = describeDevice(session.userAgent);
  const revoke = useMutation(
    trpc.sessions.revoke.mutationOptions({
      onSuccess: () => {
        onDone({ tone: "success", text: `Signed out ${device}.` });
        void queryClient.invalidateQueries(trpc.sessions.list.queryFilter());
      },
      onError: (error) => onDone({ tone: "error", text: describeError(error).message }),
    }),
  );
  return (
    <li className="list-row">
      <div className="list-main">
        <p className="list-title">
          {device}
          {session.current && <span className="badge badge-accent">This device</span>}
        </p>
        <p className="muted small">
          {session.ip ? `${session.ip} · ` : ""}
          Active <time dateTime={new Date(session.lastSeenAt).toISOString()}>{timeAgo(session.lastSeenAt)}</time> · Signed in{" "}
          <time dateTime={new Date(session.createdAt).toISOString()}>{formatDateTime(session.createdAt)}</time>
        </p>
      </div>
      {!session.current && (
        <Button
          variant="secondary"
          className="btn-small"
          pending={revoke.isPending}
          onClick={() => revoke.mutate({ id: session.id })}
        >
          Revoke<span className="visually-hidden"> {device}</span>
        </Button>
      )}
    </li>
  );
}

function SignOutEverywhere() {
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState<boolean | null>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const confirm = useRef<HTMLButtonElement>(null);
  // The question replaces the button just pressed (and back): keep the keyboard focus in place.
  useEffect(() => {
    if (confirming === true) confirm.current?.focus();
    if (confirming === false) trigger.current?.focus();
  }, [confirming]);
  const done = () => {
    signedOut("signed-out-everywhere");
    void navigate("/sign-in", { replace: true });
  };
  const everywhere = useMutation(trpc.auth.signOutEverywhere.mutationOptions({ onSuccess: done }));
  const problem = everywhere.isError ? describeError(everywhere.error).message : null;

  if (!confirming) {
    return (
      <div className="section-actions">
        <Button ref={trigger} variant="danger" onClick={() => setConfirming(true)}>
          Sign out everywhere
        </Button>
      </div>
    );
  }
  return (
    <fieldset className="confirm">
      <legend>Sign out on all devices, including this one?</legend>
      <div className="confirm-actions">
        <Button
          ref={confirm}
          variant="danger"
          pending={everywhere.isPending}
          pendingLabel="Signing out…"
          onClick={() => everywhere.mutate()}
        >
          Yes, sign out everywhere
        </Button>
        <Button variant="ghost" onClick={() => setConfirming(false)}>
          Cancel
        </Button>
      </div>
      {problem && (
        <p className="status status-error" role="alert">
          {problem}
        </p>
      )}
    </fieldset>
  );
}
