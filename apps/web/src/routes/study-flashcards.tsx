/**
 * A flashcard set's study mode (/study/items/:itemId/flashcards): the same spaced-repetition sitting as
 * /study/review, for this one set (yours, or one shared with or assigned to you: your progress is yours).
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { Button } from "../components/SubmitButton.tsx";
import { ReviewSession } from "../components/study/review/ReviewSession.tsx";
import { ReviewStats } from "../components/study/review/ReviewStats.tsx";
import s from "../components/study/review/review.module.css";
import { PageHeader } from "../components/ui/page-header.tsx";
import { trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

export function StudyFlashcardsPage() {
  const { itemId = "" } = useParams();
  const qc = useQueryClient();
  const [sitting, setSitting] = useState<number | null>(null);
  const item = useQuery(trpc.study.library.items.get.queryOptions({ itemId }));
  const stats = useQuery(trpc.study.review.stats.queryOptions({ itemId }));
  const title = item.data?.title ?? "Flashcards";
  const ready = (stats.data?.dueNow ?? 0) + (stats.data?.newAvailable ?? 0);
  const problem = item.error ?? stats.error;

  return (
    <div className="page">
      <title>{`${title} · Flashcards · Inkwell`}</title>
      <PageHeader
        title={title}
        lead={
          <>
            Study this set with spaced repetition. <Link to="/study/review">Review all sets</Link>
          </>
        }
      />
      {item.data?.isPlaceholder ? (
        <p className="offline-label small">
          <span className="offline-badge">Placeholder AI</span> These cards were made by the offline placeholder model.
        </p>
      ) : null}
      {problem ? (
        <div role="alert" className="alert alert-error">
          {describeError(problem).message}
        </div>
      ) : sitting !== null ? (
        <ReviewSession
          key={sitting}
          itemId={itemId}
          onDone={() => {
            setSitting(null);
            void qc.invalidateQueries({ queryKey: trpc.study.review.pathKey() });
          }}
        />
      ) : stats.data && item.data ? (
        <section className="card stack" aria-labelledby="set-today-heading">
          <h2 id="set-today-heading">This set today</h2>
          <ReviewStats stats={stats.data} label="This set today" />
          <div className={s.actions}>
            <Button onClick={() => setSitting(Date.now())} aria-disabled={ready === 0 || undefined}>
              Study these cards
            </Button>
            {ready === 0 ? <p className="small muted">Nothing due in this set right now.</p> : null}
          </div>
        </section>
      ) : (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading…
        </p>
      )}
    </div>
  );
}
