/** Send feedback: name, kind, the message, and an optional 1–5 rating. */
import { FEEDBACK_TYPES } from "@inkwell/domain/feedback/schemas";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { FormError, Status } from "../Alert.tsx";
import { Button } from "../SubmitButton.tsx";
import { FEEDBACK_TYPE_LABELS } from "./labels.ts";

const FIELDS = ["preferredName", "feedbackType", "message", "rating"] as const;

export function FeedbackForm({ defaultName, disabled }: { defaultName: string; disabled: boolean }) {
  const id = useId();
  const qc = useQueryClient();
  const [name, setName] = useState(defaultName);
  const [type, setType] = useState<(typeof FEEDBACK_TYPES)[number]>("general");
  const [message, setMessage] = useState("");
  const [rating, setRating] = useState<number | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const submit = useMutation(
    trpc.feedback.submitFeedback.mutationOptions({
      onSuccess: () => {
        setMessage("");
        setRating(null);
        setSent("Thank you for the feedback. It is in the list below.");
        void qc.invalidateQueries({ queryKey: trpc.feedback.mine.queryKey() });
      },
      onError: () => setSent(null),
    }),
  );
  const problem = submit.isError ? describeError(submit.error, FIELDS) : null;
  const err = (f: (typeof FIELDS)[number]) => problem?.fieldErrors[f];

  return (
    <form
      className="card stack"
      aria-labelledby={`${id}-heading`}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (submit.isPending || disabled) return;
        setSent(null);
        submit.mutate({ preferredName: name, feedbackType: type, message, rating: rating ?? undefined });
      }}
    >
      <h2 id={`${id}-heading`}>Send feedback</h2>
      <FormError problem={problem?.message ? problem : null} />
      <div className="field" data-invalid={err("preferredName") ? "" : undefined}>
        <label htmlFor={`${id}-name`}>What should we call you?</label>
        <input
          id={`${id}-name`}
          value={name}
          maxLength={100}
          onChange={(e) => setName(e.target.value)}
          aria-invalid={err("preferredName") ? true : undefined}
          aria-describedby={err("preferredName") ? `${id}-name-error` : undefined}
        />
        {err("preferredName") && (
          <p className="field-error" id={`${id}-name-error`}>
            <span aria-hidden="true">⚠ </span>
            {err("preferredName")}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-type`}>Kind of feedback</label>
        <select id={`${id}-type`} value={type} onChange={(e) => setType(e.target.value as (typeof FEEDBACK_TYPES)[number])}>
          {FEEDBACK_TYPES.map((t) => (
            <option key={t} value={t}>
              {FEEDBACK_TYPE_LABELS[t]}
            </option>
          ))}
        </select>
      </div>
      <div className="field" data-invalid={err("message") ? "" : undefined}>
        <label htmlFor={`${id}-message`}>Your feedback</label>
        <textarea
          id={`${id}-message`}
          rows={5}
          maxLength={5000}
          value={message}
          onChange={(e) => setMessage(e.target.value)}
          aria-invalid={err("message") ? true : undefined}
          aria-describedby={err("message") ? `${id}-message-error` : undefined}
        />
        {err("message") && (
          <p className="field-error" id={`${id}-message-error`}>
            <span aria-hidden="true">⚠ </span>
            {err("message")}
          </p>
        )}
      </div>
      <fieldset className="field">
        <legend>
          How would you rate Inkwell? <span className="optional">(optional)</span>
        </legend>
        <div className="segmented">
          {[1, 2, 3, 4, 5].map((n) => (
            <label key={n} className="segment">
              <input type="radio" name={`${id}-rating`} value={n} checked={rating === n} onChange={() => setRating(n)} />
              <span>
                {n}
                <span className="visually-hidden"> out of 5</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="form-actions">
        <Button type="submit" pending={submit.isPending} pendingLabel="Sending…" aria-disabled={disabled || undefined}>
          Send feedback
        </Button>
      </div>
      <Status>{sent}</Status>
    </form>
  );
}
