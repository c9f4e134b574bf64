/**
 * Study → Review (/study/review): the spaced-repetition queue across every flashcard set you study.
 * Shows what is due, new cards left for today and your streak; "Start review" opens a sitting
 * (components/study/review/ReviewSession.tsx) that ends with a summary.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { Button } from "../components/SubmitButton.tsx";
import { ReviewSession } from "../components/study/review/ReviewSession.tsx";
import { ReviewStats } from "../components/study/review/ReviewStats.tsx";
import s from "../components/study/review/review.module.css";
import { PageHeader } from "../components/ui/page-header.tsx";
import { trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

export function StudyReviewPage() {
  const qc = useQueryClient();
  const [sitting, setSitting] = useState<number | null>(null);
  const stats = useQuery(trpc.study.review.stats.queryOptions());
  const ready = (stats.data?.dueNow ?? 0) + (stats.data?.newAvailable ?? 0);

  return (
    <div className="page">
      <title>Review · Study · Inkwell</title>
      <PageHeader
        title="Review"
        lead="Flashcards from all your sets, scheduled by spaced repetition: cards you find hard come back sooner, easy ones later."
      />
      {sitting !== null ? (
        <ReviewSession
          key={sitting}
          onDone={() => {
            setSitting(null);
            void qc.invalidateQueries({ queryKey: trpc.study.review.pathKey() });
          }}
        />
      ) : (
        <section className="card stack" aria-labelledby="review-today-heading">
          <h2 id="review-today-heading">Today</h2>
          {stats.isPending ? (
            <p className="loading" role="status">
              <span className="spinner" aria-hidden="true" /> Loading…
            </p>
          ) : stats.isError ? (
            <div role="alert" className="alert alert-error">
              {describeError(stats.error).message}
            </div>
          ) : (
            <>
              <ReviewStats stats={stats.data} label="Your review today" />
              <div className={s.actions}>
                <Button onClick={() => setSitting(Date.now())} aria-disabled={ready === 0 || undefined}>
                  Start review
                </Button>
                {ready === 0 ? (
                  <p className="small muted">
                    Nothing to review right now. Make a flashcard set in the <Link to="/study">library</Link>.
                  </p>
                ) : null}
              </div>
            </>
          )}
        </section>
      )}
    </div>
  );
}
