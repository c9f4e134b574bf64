/** Send feedback: name, kind, the message, and an optional 1–5 rating. */
import { FEEDBACK_TYPES } from "@inkwell/domain/feedback/schemas";
import { useId, useState } from "react";
import { trpc } from "../../lib/api.ts";
import { FeedbackFormFrame, NameField, Segments, TextAreaField, useSend } from "./form-parts.tsx";
import { FEEDBACK_TYPE_LABELS } from "./labels.ts";

const FIELDS = ["preferredName", "feedbackType", "message", "rating"] as const;
const RATINGS = [1, 2, 3, 4, 5].map((n) => ({
  value: n,
  label: (
    <>
      {n}
      <span className="visually-hidden"> out of 5</span>
    </>
  ),
}));

export function FeedbackForm({ defaultName, disabled }: { defaultName: string; disabled: boolean }) {
  const id = useId();
  const [name, setName] = useState(defaultName);
  const [type, setType] = useState<(typeof FEEDBACK_TYPES)[number]>("general");
  const [message, setMessage] = useState("");
  const [rating, setRating] = useState<number | null>(null);
  const submit = useSend(trpc.feedback.submitFeedback.mutationOptions(), {
    fields: FIELDS,
    thanks: "Thank you for the feedback. It is in the list below.",
    onSent: () => {
      setMessage("");
      setRating(null);
    },
  });

  return (
    <FeedbackFormFrame
      title="Send feedback"
      submitLabel="Send feedback"
      disabled={disabled}
      {...submit.frame}
      onSubmit={() => submit.send({ preferredName: name, feedbackType: type, message, rating: rating ?? undefined })}
    >
      <NameField value={name} onChange={setName} error={submit.fieldError("preferredName")} />
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
      <TextAreaField
        label="Your feedback"
        value={message}
        maxLength={5000}
        onChange={setMessage}
        error={submit.fieldError("message")}
      />
      <Segments legend="How would you rate Inkwell?" optional options={RATINGS} value={rating} onChange={setRating} />
    </FeedbackFormFrame>
  );
}
