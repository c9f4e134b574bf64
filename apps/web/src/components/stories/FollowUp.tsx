/**
 * "Ask a follow-up": for a campaign's owners, an AI-suggested follow-up question from this story
 * (metered, priced as a chat reply), editable, then asked — it becomes the next question the
 * storyteller receives. The offline provider's suggestion is labelled as a placeholder.
 */
import { PRICES } from "@inkwell/domain/credits/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { FormError, Status } from "../Alert.tsx";
import { Button } from "../SubmitButton.tsx";

export function FollowUp({ campaignId, storyId }: { campaignId: string; storyId: string }) {
  const qc = useQueryClient();
  const campaign = useQuery(trpc.stories.campaigns.get.queryOptions({ campaignId })).data;
  const [question, setQuestion] = useState("");
  const [placeholder, setPlaceholder] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const fieldId = useId();
  const suggest = useMutation(
    trpc.stories.followUp.suggest.mutationOptions({
      onSuccess: (s) => {
        setQuestion(s.question);
        setPlaceholder(s.placeholder);
        setStatus(null);
      },
    }),
  );
  const ask = useMutation(
    trpc.stories.followUp.ask.mutationOptions({
      onSuccess: () => {
        setStatus(`Added: it is the next question ${campaign?.storytellerName ?? "the storyteller"} will get.`);
        setQuestion("");
        setPlaceholder(false);
        void qc.invalidateQueries({ queryKey: trpc.stories.prompts.list.queryKey({ campaignId }) });
      },
    }),
  );
  if (campaign?.myRole !== "owner") return null;
  const problem = suggest.isError ? describeError(suggest.error) : ask.isError ? describeError(ask.error) : null;

  return (
    <section className="card stack" aria-labelledby={`${fieldId}-heading`}>
      <h2 id={`${fieldId}-heading`}>Ask a follow-up</h2>
      <p className="muted small">
        Let AI suggest a question that invites {campaign.storytellerName} to say more about this story ({PRICES["chat.reply"]}{" "}
        credits), edit it, and ask it next.
      </p>
      <FormError problem={problem} />
      <div className="form-actions">
        <Button
          variant="secondary"
          pending={suggest.isPending}
          pendingLabel="Thinking…"
          onClick={() => suggest.mutate({ storyId, idempotencyKey: crypto.randomUUID() })}
        >
          {question ? "Suggest another" : "Suggest a follow-up question"}
        </Button>
      </div>
      {question !== "" && (
        <form
          className="stack"
          onSubmit={(event) => {
            event.preventDefault();
            if (!ask.isPending) ask.mutate({ storyId, question });
          }}
        >
          {placeholder && (
            <p className="offline-label small" data-role="offline-label">
              <span className="offline-badge">Offline placeholder AI</span> a stand-in, not a real suggestion; edit it before
              asking.
            </p>
          )}
          <div className="field">
            <label htmlFor={fieldId}>Follow-up question</label>
            <textarea id={fieldId} rows={2} maxLength={300} value={question} onChange={(e) => setQuestion(e.target.value)} />
          </div>
          <div className="form-actions">
            <Button type="submit" pending={ask.isPending} pendingLabel="Adding…">
              Ask {campaign.storytellerName} next
            </Button>
          </div>
        </form>
      )}
      <Status>{status}</Status>
    </section>
  );
}
