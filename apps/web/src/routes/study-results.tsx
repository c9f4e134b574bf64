/**
 * Results (/study/results): streaks (days in a row with a quiz finished, in your time zone), averages,
 * and the history of quizzes and writing, newest first, filtered by kind; each line opens to its full
 * result (verdicts and feedback, or rubric scores), kept even after the item is deleted.
 */
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { LoadMore } from "../components/LoadMore.tsx";
import { percent, QuizOutcome } from "../components/study/quiz/QuizOutcome.tsx";
import s from "../components/study/quiz/quiz.module.css";
import { WritingOutcome } from "../components/study/writing/WritingOutcome.tsx";
import { EmptyState } from "../components/ui/empty-state.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { type Outputs, trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

type Kind = "quiz" | "writing";
type Entry = Outputs["study"]["results"]["list"]["items"][number];
const FILTERS: { value: Kind | null; label: string }[] = [
  { value: null, label: "All" },
  { value: "quiz", label: "Quizzes" },
  { value: "writing", label: "Writing" },
];
const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
const when = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function StudyResultsPage() {
  const [kind, setKind] = useState<Kind | null>(null);
  const summary = useQuery(trpc.study.results.summary.queryOptions({ timeZone }));
  const list = useInfiniteQuery(
    trpc.study.results.list.infiniteQueryOptions(
      { ...(kind ? { kind } : {}), limit: 30 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const sum = summary.data;

  return (
    <div className="page">
      <title>Results · Study · Inkwell</title>
      <PageHeader title="Results" lead="Your quizzes and writing, and how many days in a row you have studied." />
      <section className="card stack" aria-labelledby="results-streak-heading">
        <h2 id="results-streak-heading">Streaks</h2>
        {summary.isError ? (
          <div role="alert" className="alert alert-error">
            {describeError(summary.error).message}
          </div>
        ) : sum ? (
          <dl className={s.stats}>
            <div>
              <dt>Current streak</dt>
              <dd>
                {sum.streak.current} {sum.streak.current === 1 ? "day" : "days"}
              </dd>
            </div>
            <div>
              <dt>Longest streak</dt>
              <dd>
                {sum.streak.longest} {sum.streak.longest === 1 ? "day" : "days"}
              </dd>
            </div>
            <div>
              <dt>Quizzes taken</dt>
              <dd>{sum.quizzes.count}</dd>
            </div>
            <div>
              <dt>Average quiz score</dt>
              <dd>{sum.quizzes.count ? percent(sum.quizzes.averageAccuracy) : "–"}</dd>
            </div>
            <div>
              <dt>Writing scored</dt>
              <dd>{sum.writing.count}</dd>
            </div>
            <div>
              <dt>Average writing score</dt>
              <dd>{sum.writing.count ? `${sum.writing.averageScore}%` : "–"}</dd>
            </div>
          </dl>
        ) : (
          <p className="loading" role="status">
            <span className="spinner" aria-hidden="true" /> Loading…
          </p>
        )}
        {sum && !sum.streak.studiedToday ? (
          <p className="small muted">
            {sum.streak.current ? "Take a quiz today to keep your streak." : "Take a quiz to start a streak."}
          </p>
        ) : null}
      </section>

      <section className="stack" aria-labelledby="results-history-heading">
        <h2 id="results-history-heading">History</h2>
        <fieldset className={s.filters}>
          <legend className="visually-hidden">Show</legend>
          {FILTERS.map((f) => (
            <button
              key={f.label}
              type="button"
              className={`btn btn-small ${kind === f.value ? "btn-primary" : "btn-secondary"}`}
              aria-pressed={kind === f.value}
              onClick={() => setKind(f.value)}
            >
              {f.label}
            </button>
          ))}
        </fieldset>
        {list.isPending ? (
          <p className="loading" role="status">
            <span className="spinner" aria-hidden="true" /> Loading your results…
          </p>
        ) : list.isError ? (
          <div role="alert" className="alert alert-error">
            {describeError(list.error).message}
          </div>
        ) : items.length === 0 ? (
          <EmptyState>
            No results yet. Take a quiz or answer writing prompts from your <Link to="/study">library</Link>.
          </EmptyState>
        ) : (
          <>
            <ul className={s.results} aria-label="Results, newest first">
              {items.map((r) => (
                <ResultLine key={`${r.kind}:${r.id}`} entry={r} />
              ))}
            </ul>
            <LoadMore
              shown={items.length}
              noun={["result", "results"]}
              hasMore={list.hasNextPage}
              loading={list.isFetchingNextPage}
              onLoad={() => void list.fetchNextPage()}
            />
          </>
        )}
      </section>
    </div>
  );
}

function ResultLine({ entry }: { entry: Entry }) {
  const [open, setOpen] = useState(false);
  const detail = useQuery({
    ...trpc.study.results.get.queryOptions({ kind: entry.kind, resultId: entry.id }),
    enabled: open,
  });
  return (
    <li className={s.result}>
      <details onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>
          <strong>{entry.itemTitle}</strong>
          <span className="badge">{entry.kind === "quiz" ? "Quiz" : "Writing"}</span>
          <span>{entry.percent}%</span>
          <span className="muted small">{entry.detail}</span>
          {entry.placeholder ? <span className="offline-badge">Placeholder AI</span> : null}
          <span className="muted small">{when.format(new Date(entry.createdAt))}</span>
        </summary>
        <div className="stack">
          {entry.itemId ? (
            <p className="small">
              <Link to={`/study/items/${entry.itemId}/${entry.kind === "quiz" ? "quiz" : "writing"}`}>
                {entry.kind === "quiz" ? "Take this quiz again" : "Write again"}
              </Link>
            </p>
          ) : (
            <p className="small muted">The item was deleted; its result is kept.</p>
          )}
          {detail.isError ? (
            <div role="alert" className="alert alert-error">
              {describeError(detail.error).message}
            </div>
          ) : detail.data?.kind === "quiz" ? (
            <QuizOutcome result={detail.data.result} headingLevel={3} />
          ) : detail.data?.kind === "writing" ? (
            <WritingOutcome result={detail.data.result} headingLevel={3} />
          ) : open ? (
            <p className="loading" role="status">
              <span className="spinner" aria-hidden="true" /> Loading…
            </p>
          ) : null}
        </div>
      </details>
    </li>
  );
}
