/**
 * Writing prompts (/study/items/:itemId/writing): write a response to each prompt (word count against the
 * prompt's minimum, its rubric beside it), submit once (an attempt key per sitting: a retried submit is
 * scored and charged once), and read the rubric scores and feedback the AI gave.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Link, useParams } from "react-router";
import { FormError } from "../components/Alert.tsx";
import { CostLabel } from "../components/CostLabel.tsx";
import { Button } from "../components/SubmitButton.tsx";
import s from "../components/study/quiz/quiz.module.css";
import { WritingOutcome } from "../components/study/writing/WritingOutcome.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { type Outputs, trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

type WritingItem = Extract<Outputs["study"]["library"]["items"]["get"], { itemType: "writing_prompt" }>;

const countWords = (text: string) => (text.trim().match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? []).length;

export function StudyWritingPage() {
  const { itemId = "" } = useParams();
  const item = useQuery(trpc.study.library.items.get.queryOptions({ itemId }));
  const title = item.data?.title ?? "Writing prompts";
  return (
    <div className="page">
      <title>{`${title} · Writing · Inkwell`}</title>
      <PageHeader
        title={title}
        lead={
          <>
            Write a response to each prompt; the AI scores it against the rubric. <Link to="/study/results">Your results</Link>
          </>
        }
      />
      {item.isPending ? (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading the prompts…
        </p>
      ) : item.isError ? (
        <div role="alert" className="alert alert-error">
          {describeError(item.error).message}
        </div>
      ) : item.data.itemType !== "writing_prompt" ? (
        <div role="alert" className="alert alert-error">
          This item is not a set of writing prompts. <Link to={`/study/items/${itemId}`}>Open it</Link>
        </div>
      ) : (
        <WritingSitting key={item.data.id} item={item.data} />
      )}
    </div>
  );
}

function WritingSitting({ item }: { item: WritingItem }) {
  const qc = useQueryClient();
  const costId = useId();
  const [attemptKey, setAttemptKey] = useState(() => crypto.randomUUID());
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const submit = useMutation(
    trpc.study.writing.submit.mutationOptions({
      onSuccess: () => {
        void qc.invalidateQueries({ queryKey: trpc.study.results.pathKey() });
        void qc.invalidateQueries({ queryKey: trpc.credits.balance.queryKey() });
      },
    }),
  );
  const written = item.content.prompts.filter((p) => (texts[p.id] ?? "").trim()).length;

  if (submit.data) {
    return (
      <div className="stack">
        <WritingOutcome result={submit.data} />
        <div className={s.actions}>
          <Button
            onClick={() => {
              submit.reset();
              setAttemptKey(crypto.randomUUID());
            }}
          >
            Revise and submit again
          </Button>
          <Link className="btn btn-secondary" to="/study/results">
            All results
          </Link>
        </div>
      </div>
    );
  }

  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        if (!written) {
          setProblem("Write at least one response first.");
          return;
        }
        setProblem(null);
        submit.mutate({
          itemId: item.id,
          attemptKey,
          responses: item.content.prompts.map((p) => ({ promptId: p.id, text: texts[p.id] ?? "" })),
        });
      }}
    >
      {item.isPlaceholder ? (
        <p className="offline-label small">
          <span className="offline-badge">Placeholder AI</span> These prompts were made by the offline placeholder model.
        </p>
      ) : null}
      {item.content.prompts.map((p, i) => {
        const text = texts[p.id] ?? "";
        const words = countWords(text);
        const fieldId = `response-${p.id}`;
        const countId = `count-${p.id}`;
        return (
          <section key={p.id} className="card stack" aria-labelledby={`prompt-${p.id}`}>
            <h2 id={`prompt-${p.id}`} className={s.prompt}>
              {i + 1}. {p.prompt}
            </h2>
            <details>
              <summary>Rubric ({p.rubric.reduce((n, r) => n + r.points, 0)} points)</summary>
              <ul>
                {p.rubric.map((r) => (
                  <li key={r.criterion}>
                    <strong>{r.criterion}</strong> ({r.points} points){r.description ? `: ${r.description}` : ""}
                  </li>
                ))}
              </ul>
            </details>
            <div className="field">
              <label htmlFor={fieldId}>Your response to prompt {i + 1}</label>
              <textarea
                id={fieldId}
                className={`textarea ${s.textarea}`}
                rows={8}
                maxLength={20000}
                aria-describedby={countId}
                value={text}
                onChange={(e) => setTexts((prev) => ({ ...prev, [p.id]: e.target.value }))}
              />
              <p id={countId} className="hint">
                {words} {words === 1 ? "word" : "words"}
                {p.minWords ? ` · at least ${p.minWords}` : ""}
                {p.minWords && words > 0 && words < p.minWords ? ` (${p.minWords - words} to go)` : ""}
              </p>
            </div>
          </section>
        );
      })}
      {problem ? (
        <p role="alert" className="error-text">
          {problem}
        </p>
      ) : null}
      <FormError problem={submit.isError ? describeError(submit.error) : null} />
      <div className={s.actions}>
        <Button type="submit" pending={submit.isPending} pendingLabel="Scoring…" aria-describedby={costId}>
          Submit for scoring
        </Button>
        <CostLabel operation="study.score-writing" quantity={Math.max(1, written)} id={costId} />
      </div>
    </form>
  );
}
