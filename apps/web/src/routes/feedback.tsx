/**
 * Feedback (/feedback): report a bug (with the user's consent, their browser's details) or send feedback,
 * and see what you sent with its status. Administrators' notes are theirs: never shown here.
 */
import { useQuery } from "@tanstack/react-query";
import { BugReportForm } from "../components/feedback/bug-report-form.tsx";
import s from "../components/feedback/feedback.module.css";
import { FeedbackForm } from "../components/feedback/feedback-form.tsx";
import {
  BUG_STATUS_LABELS,
  FEEDBACK_STATUS_LABELS,
  FEEDBACK_TYPE_LABELS,
  SEVERITY_LABELS,
} from "../components/feedback/labels.ts";
import { EmptyState } from "../components/ui/empty-state.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { meQuery, trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { formatDateTime } from "../lib/format.ts";

export function FeedbackPage() {
  const me = useQuery(meQuery()).data;
  const status = useQuery(trpc.feedback.status.queryOptions());
  const mine = useQuery(trpc.feedback.mine.queryOptions());
  const closed = status.data?.open === false;
  const name = me?.displayName ?? "";

  return (
    <div className="page page-wide">
      <title>Feedback · Inkwell</title>
      <PageHeader title="Feedback" lead="Tell us what broke or what would make Inkwell better. We read everything." />
      {closed && (
        <div role="alert" className="alert alert-warning">
          Feedback is closed for the moment. Please try again later.
        </div>
      )}
      <div className={s.forms}>
        <BugReportForm defaultName={name} disabled={closed} />
        <FeedbackForm defaultName={name} disabled={closed} />
      </div>

      <section className="stack" aria-labelledby="feedback-mine-heading">
        <h2 id="feedback-mine-heading">What you sent</h2>
        {mine.isPending ? (
          <p className="loading" role="status">
            <span className="spinner" aria-hidden="true" /> Loading…
          </p>
        ) : mine.isError ? (
          <div role="alert" className="alert alert-error">
            {describeError(mine.error).message}
          </div>
        ) : mine.data.bugReports.length + mine.data.feedback.length === 0 ? (
          <EmptyState>Nothing yet. Your reports and feedback will be listed here with their status.</EmptyState>
        ) : (
          <ul className="list" aria-label="Your reports and feedback, newest first">
            {[
              ...mine.data.bugReports.map((r) => ({
                id: r.id,
                at: r.createdAt,
                kind: `Bug report · ${SEVERITY_LABELS[r.severity]}`,
                text: r.description,
                status: BUG_STATUS_LABELS[r.status],
              })),
              ...mine.data.feedback.map((f) => ({
                id: f.id,
                at: f.createdAt,
                kind: `${FEEDBACK_TYPE_LABELS[f.feedbackType]}${f.rating ? ` · rated ${f.rating}/5` : ""}`,
                text: f.message,
                status: FEEDBACK_STATUS_LABELS[f.status],
              })),
            ]
              .sort((a, b) => new Date(b.at).getTime() - new Date(a.at).getTime())
              .map((item) => (
                <li key={item.id} className={`list-row ${s.row}`}>
                  <div className="list-main">
                    <p className="list-title">{item.kind}</p>
                    <p className={s.text}>{item.text}</p>
                    <p className="small muted">Sent {formatDateTime(item.at)}</p>
                  </div>
                  <span className="badge">Status: {item.status}</span>
                </li>
              ))}
          </ul>
        )}
      </section>
    </div>
  );
}
