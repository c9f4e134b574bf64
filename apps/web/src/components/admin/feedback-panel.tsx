/** Admin feedback: bug reports and feedback by status, each with its status and private notes to update. */
import { BUG_STATUSES, type BugStatus, FEEDBACK_STATUSES, type FeedbackStatus } from "@inkwell/domain/feedback/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { type Outputs, trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { formatDateTime } from "../../lib/format.ts";
import { FormError, Status } from "../Alert.tsx";
import { BUG_STATUS_LABELS, FEEDBACK_STATUS_LABELS, FEEDBACK_TYPE_LABELS, SEVERITY_LABELS } from "../feedback/labels.ts";
import { Button } from "../SubmitButton.tsx";
import s from "./admin.module.css";

type Report = Outputs["admin"]["feedback"]["bugReports"]["items"][number];
type Fb = Outputs["admin"]["feedback"]["feedback"]["items"][number];

export function FeedbackPanel() {
  const id = useId();
  const [bugStatus, setBugStatus] = useState<BugStatus | "">("");
  const [fbStatus, setFbStatus] = useState<FeedbackStatus | "">("pending");
  const reports = useQuery(trpc.admin.feedback.bugReports.queryOptions({ status: bugStatus || undefined }));
  const feedback = useQuery(trpc.admin.feedback.feedback.queryOptions({ status: fbStatus || undefined }));

  return (
    <div className="stack">
      <section className="stack" aria-labelledby={`${id}-bugs`}>
        <div className="toolbar">
          <h2 id={`${id}-bugs`}>Bug reports</h2>
          <div className="field">
            <label htmlFor={`${id}-bug-status`}>Status</label>
            <select id={`${id}-bug-status`} value={bugStatus} onChange={(e) => setBugStatus(e.target.value as BugStatus | "")}>
              <option value="">All</option>
              {BUG_STATUSES.map((st) => (
                <option key={st} value={st}>
                  {BUG_STATUS_LABELS[st]}
                </option>
              ))}
            </select>
          </div>
        </div>
        {reports.isError && <FormError problem={describeError(reports.error)} />}
        {reports.data && reports.data.items.length === 0 && <p className="muted">No bug reports here.</p>}
        {reports.data && reports.data.items.length > 0 && (
          <ul className="list" aria-label="Bug reports, newest first">
            {reports.data.items.map((r) => (
              <ReportItem key={`${r.id}:${r.updatedAt}`} report={r} />
            ))}
          </ul>
        )}
      </section>
      <section className="stack" aria-labelledby={`${id}-fb`}>
        <div className="toolbar">
          <h2 id={`${id}-fb`}>Feedback</h2>
          <div className="field">
            <label htmlFor={`${id}-fb-status`}>Status</label>
            <select id={`${id}-fb-status`} value={fbStatus} onChange={(e) => setFbStatus(e.target.value as FeedbackStatus | "")}>
              <option value="">All</option>
              {FEEDBACK_STATUSES.map((st) => (
                <option key={st} value={st}>
                  {FEEDBACK_STATUS_LABELS[st]}
                </option>
              ))}
            </select>
          </div>
        </div>
        {feedback.isError && <FormError problem={describeError(feedback.error)} />}
        {feedback.data && feedback.data.items.length === 0 && <p className="muted">No feedback here.</p>}
        {feedback.data && feedback.data.items.length > 0 && (
          <ul className="list" aria-label="Feedback, newest first">
            {feedback.data.items.map((f) => (
              <FeedbackItem key={`${f.id}:${f.updatedAt}`} item={f} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function useInvalidate() {
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: trpc.admin.feedback.pathKey() });
    void qc.invalidateQueries({ queryKey: trpc.admin.dashboard.openFeedback.queryKey() });
  };
}

function ReportItem({ report }: { report: Report }) {
  const id = useId();
  const invalidate = useInvalidate();
  const [status, setStatus] = useState<BugStatus>(report.status);
  const [notes, setNotes] = useState(report.adminNotes ?? "");
  const save = useMutation(trpc.admin.feedback.updateBugReport.mutationOptions({ onSuccess: invalidate }));
  return (
    <li className={s.item}>
      <p className="list-title">
        {SEVERITY_LABELS[report.severity]} · from {report.preferredName}
        {report.errorCode && <span className="badge">{report.errorCode}</span>}
      </p>
      <p className={s.text}>{report.description}</p>
      {report.browserInfo && <pre className={s.error}>{report.browserInfo}</pre>}
      <p className="small muted">Sent {formatDateTime(report.createdAt)}</p>
      <ItemControls
        id={id}
        label={`report from ${report.preferredName}`}
        statuses={BUG_STATUSES}
        labels={BUG_STATUS_LABELS}
        status={status}
        onStatus={(v) => setStatus(v as BugStatus)}
        notes={notes}
        onNotes={setNotes}
        pending={save.isPending}
        onSave={() => save.mutate({ id: report.id, status, adminNotes: notes.trim() || null })}
      />
      <FormError problem={save.isError ? describeError(save.error) : null} />
      <Status>{save.isSuccess ? "Saved." : null}</Status>
    </li>
  );
}

function FeedbackItem({ item }: { item: Fb }) {
  const id = useId();
  const invalidate = useInvalidate();
  const [status, setStatus] = useState<FeedbackStatus>(item.status);
  const [notes, setNotes] = useState(item.adminNotes ?? "");
  const save = useMutation(trpc.admin.feedback.updateFeedback.mutationOptions({ onSuccess: invalidate }));
  return (
    <li className={s.item}>
      <p className="list-title">
        {FEEDBACK_TYPE_LABELS[item.feedbackType]} · from {item.preferredName}
        {item.rating && <span className="badge">{item.rating}/5</span>}
      </p>
      <p className={s.text}>{item.message}</p>
      <p className="small muted">Sent {formatDateTime(item.createdAt)}</p>
      <ItemControls
        id={id}
        label={`feedback from ${item.preferredName}`}
        statuses={FEEDBACK_STATUSES}
        labels={FEEDBACK_STATUS_LABELS}
        status={status}
        onStatus={(v) => setStatus(v as FeedbackStatus)}
        notes={notes}
        onNotes={setNotes}
        pending={save.isPending}
        onSave={() => save.mutate({ id: item.id, status, adminNotes: notes.trim() || null })}
      />
      <FormError problem={save.isError ? describeError(save.error) : null} />
      <Status>{save.isSuccess ? "Saved." : null}</Status>
    </li>
  );
}

function ItemControls(props: {
  id: string;
  label: string;
  statuses: readonly string[];
  labels: Record<string, string>;
  status: string;
  onStatus(v: string): void;
  notes: string;
  onNotes(v: string): void;
  pending: boolean;
  onSave(): void;
}) {
  return (
    <div className={s.row}>
      <div className="field">
        <label htmlFor={`${props.id}-status`}>Status</label>
        <select id={`${props.id}-status`} value={props.status} onChange={(e) => props.onStatus(e.target.value)}>
          {props.statuses.map((st) => (
            <option key={st} value={st}>
              {props.labels[st]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${props.id}-notes`}>Notes (staff only)</label>
        <textarea
          id={`${props.id}-notes`}
          rows={2}
          maxLength={5000}
          value={props.notes}
          onChange={(e) => props.onNotes(e.target.value)}
        />
      </div>
      <Button variant="secondary" pending={props.pending} pendingLabel="Saving…" onClick={props.onSave}>
        Save<span className="visually-hidden"> {props.label}</span>
      </Button>
    </div>
  );
}
