/** Admin site settings: whether feedback is open, and the maintenance message every visitor sees. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { FormError, Status } from "../Alert.tsx";
import { Button } from "../SubmitButton.tsx";
import s from "./admin.module.css";

export function ConfigPanel() {
  const id = useId();
  const qc = useQueryClient();
  const config = useQuery(trpc.admin.config.get.queryOptions());
  const [message, setMessage] = useState("");
  const [status, setStatus] = useState<string | null>(null);
  const current = (key: string) => config.data?.find((e) => e.key === key)?.value;
  const feedbackOpen = current("feedback_open") !== false;
  const savedMessage = (current("maintenance_message") as string | null | undefined) ?? "";
  useEffect(() => setMessage(savedMessage), [savedMessage]);

  const set = useMutation(
    trpc.admin.config.set.mutationOptions({
      onSuccess: (_r, input) => {
        setStatus(input.key === "feedback_open" ? "Feedback setting saved." : "Maintenance message saved.");
        void qc.invalidateQueries({ queryKey: trpc.admin.config.get.queryKey() });
        void qc.invalidateQueries({ queryKey: trpc.system.announcements.queryKey() });
        void qc.invalidateQueries({ queryKey: trpc.feedback.status.queryKey() });
      },
    }),
  );

  return (
    <div className={s.grid}>
      <section className="card stack" aria-labelledby={`${id}-feedback`}>
        <h2 id={`${id}-feedback`}>Feedback</h2>
        <p>
          Bug reports and feedback are <strong>{feedbackOpen ? "open" : "closed"}</strong>.
        </p>
        <div>
          <Button
            variant="secondary"
            pending={set.isPending && set.variables?.key === "feedback_open"}
            pendingLabel="Saving…"
            onClick={() => set.mutate({ key: "feedback_open", value: !feedbackOpen })}
          >
            {feedbackOpen ? "Close feedback" : "Open feedback"}
          </Button>
        </div>
      </section>
      <form
        className="card stack"
        aria-labelledby={`${id}-maintenance`}
        onSubmit={(e) => {
          e.preventDefault();
          set.mutate({ key: "maintenance_message", value: message.trim() || null });
        }}
      >
        <h2 id={`${id}-maintenance`}>Maintenance message</h2>
        <div className="field">
          <label htmlFor={`${id}-message`}>Shown at the top of every page while set</label>
          <textarea id={`${id}-message`} rows={3} maxLength={300} value={message} onChange={(e) => setMessage(e.target.value)} />
        </div>
        <div className="form-actions">
          <Button type="submit" pending={set.isPending && set.variables?.key === "maintenance_message"} pendingLabel="Saving…">
            Save message
          </Button>
          {savedMessage && (
            <Button variant="ghost" onClick={() => set.mutate({ key: "maintenance_message", value: null })}>
              Clear message
            </Button>
          )}
        </div>
      </form>
      <FormError problem={set.isError ? describeError(set.error) : null} />
      <Status>{status}</Status>
    </div>
  );
}
