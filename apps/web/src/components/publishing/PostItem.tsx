/**
 * One post in the queue or the history: account, status (live), when, the text, and what can be done
 * now — edit or reschedule and cancel while pending, publish now, retry after a failure — plus the
 * link to the live post and the attempts log.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { type Outputs, trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { formatDateTime, timeAgo } from "../../lib/format.ts";
import {
  canCancel,
  canEdit,
  canPublishNow,
  canRetry,
  checkChannel,
  PLATFORM_NAMES,
  takesThreads,
  threadPartLabel,
} from "../../lib/publishing.ts";
import { browserTimeZone, scheduleProblem, suggestedLocal } from "../../lib/publishing-time.ts";
import { Notice } from "../Alert.tsx";
import { Button } from "../SubmitButton.tsx";
import { AccountIdentity, type AccountLike, PlatformMark, StatusBadge } from "./PublishingCommon.tsx";
import styles from "./publishing.module.css";
import { ScheduleFields, type ScheduleValue, scheduleLocal, splitLocal } from "./ScheduleFields.tsx";
import { ThreadEditor } from "./ThreadEditor.tsx";

export type Post = Outputs["publishing"]["posts"]["list"]["items"][number];
type Attempt = Outputs["publishing"]["posts"]["get"]["attempts"][number];

/** When a post goes (or went) out, in words. */
export function describeWhen(post: Post): string {
  if (post.status === "published" && post.publishedAt) return `Published ${formatDateTime(post.publishedAt)}`;
  if (post.status === "draft") return `Draft · edited ${timeAgo(post.updatedAt)}`;
  if (!post.scheduledAt) return `Created ${formatDateTime(post.createdAt)}`;
  const at = formatDateTime(post.scheduledAt);
  const zone =
    post.timeZone && post.timeZone !== browserTimeZone() ? ` (${post.scheduledLocal?.replace("T", " ")} ${post.timeZone})` : "";
  if (post.status === "pending") return `Scheduled for ${at}${zone}`;
  if (post.status === "cancelled") return `Was scheduled for ${at}`;
  if (post.status === "failed") return `Was due ${at}${zone}`;
  return `${at}${zone}`;
}

export function PostItem({
  post,
  account,
  history = false,
  startEditing = false,
}: {
  post: Post;
  account: AccountLike | undefined;
  history?: boolean;
  /** Opens in its editor, scrolled into view with focus on the text (a draft just made elsewhere). */
  startEditing?: boolean;
}) {
  const qc = useQueryClient();
  const [mode, setMode] = useState<"view" | "edit" | "confirm-cancel">(startEditing ? "edit" : "view");
  const [problem, setProblem] = useState<string | null>(null);
  const [showAttempts, setShowAttempts] = useState(false);
  const refresh = () => qc.invalidateQueries(trpc.publishing.posts.pathFilter());
  const options = {
    onMutate: () => setProblem(null),
    onSuccess: () => {
      setMode("view");
      return refresh();
    },
    onError: (error: unknown) => setProblem(describeError(error).message),
  };
  const cancel = useMutation(trpc.publishing.posts.cancel.mutationOptions(options));
  const publishNow = useMutation(trpc.publishing.posts.publishNow.mutationOptions(options));
  const retry = useMutation(trpc.publishing.posts.retry.mutationOptions(options));
  const platformName = PLATFORM_NAMES[post.platform];
  const needsReauth = account && "status" in account && account.status === "needs_reauth";

  return (
    <li
      className={styles.post}
      data-post-id={post.id}
      data-status={post.status}
      aria-label={`${platformName} post: ${post.parts[0]?.slice(0, 60) ?? ""}`}
    >
      <div className={styles.postHead}>
        {account ? <AccountIdentity account={account} size={30} /> : <PlatformMark platform={post.platform} label />}
        <StatusBadge status={post.status} />
      </div>
      <p className={styles.postWhen}>
        <time dateTime={post.publishedAt ?? post.scheduledAt ?? post.updatedAt}>{describeWhen(post)}</time>
        {post.attemptCount > 1 && ` · ${post.attemptCount} attempts`}
      </p>
      {mode === "edit" ? (
        <EditPost post={post} onDone={() => setMode("view")} focusOnOpen={startEditing} />
      ) : (
        <>
          {post.title && <p className="list-title">{post.title}</p>}
          {post.parts.map((part, index) => {
            const label = threadPartLabel(part, index, post.parts.length);
            return (
              <p key={index} className={styles.postText}>
                {label && <span className="muted small">{label} </span>}
                {part}
              </p>
            );
          })}
        </>
      )}
      {post.status === "published" && post.platformUrl && (
        <p>
          <a href={post.platformUrl} target="_blank" rel="noreferrer">
            View on {platformName}
          </a>
        </p>
      )}
      {post.status === "failed" && post.error && (
        <div role="alert">
          <Notice tone="error" title="Not published">
            <p>{post.error}</p>
            {needsReauth && (
              <p>
                <Link to="/publishing/connections">Reconnect {platformName}</Link>, then retry.
              </p>
            )}
          </Notice>
        </div>
      )}
      {post.status === "unknown" && (
        <Notice tone="info" title="Checking whether it went out">
          <p>{platformName} did not answer in time. We're checking with it before trying again, so it is never posted twice.</p>
        </Notice>
      )}
      {post.status === "pending" && post.error && <p className="muted small">Last try: {post.error}</p>}
      {post.status === "pending" && needsReauth && (
        <div role="alert">
          <Notice tone="error" title={`Reconnect ${platformName} before this post is due`}>
            <p>
              The account needs reconnecting; until it is, this post cannot go out.{" "}
              <Link to="/publishing/connections">Reconnect</Link>
            </p>
          </Notice>
        </div>
      )}
      {mode === "confirm-cancel" && (
        <fieldset className="confirm">
          <legend>Cancel this post? It will not be published.</legend>
          <div className="confirm-actions">
            <Button
              variant="danger"
              className="btn-small"
              pending={cancel.isPending}
              onClick={() => cancel.mutate({ postId: post.id })}
            >
              Cancel post
            </Button>
            <Button variant="ghost" className="btn-small" onClick={() => setMode("view")}>
              Keep it
            </Button>
          </div>
        </fieldset>
      )}
      {mode === "view" && (
        <div className="row-actions">
          {canEdit(post.status) && (
            <Button variant="secondary" className="btn-small" onClick={() => setMode("edit")}>
              {post.status === "draft" ? "Edit or schedule" : "Edit or reschedule"}
            </Button>
          )}
          {canPublishNow(post.status) && (
            <Button
              variant="secondary"
              className="btn-small"
              pending={publishNow.isPending}
              pendingLabel="Publishing…"
              onClick={() => publishNow.mutate({ postId: post.id })}
            >
              Publish now
            </Button>
          )}
          {canRetry(post.status) && (
            <Button
              className="btn-small"
              pending={retry.isPending}
              pendingLabel="Retrying…"
              onClick={() => retry.mutate({ postId: post.id })}
            >
              Retry
            </Button>
          )}
          {canCancel(post.status) && (
            <Button variant="ghost" className="btn-small" onClick={() => setMode("confirm-cancel")}>
              Cancel post
            </Button>
          )}
          {(history || post.attemptCount > 0) && (
            <button
              type="button"
              className="btn-link small"
              aria-expanded={showAttempts}
              onClick={() => setShowAttempts((v) => !v)}
            >
              {showAttempts ? "Hide attempts" : "Attempts"}
            </button>
          )}
        </div>
      )}
      {problem && (
        <p className="status status-error" role="alert">
          {problem}
        </p>
      )}
      {showAttempts && <Attempts postId={post.id} />}
    </li>
  );
}

const OUTCOMES: Record<Attempt["outcome"], string> = {
  published: "Published",
  partial: "Partly published",
  retry: "Will retry",
  failed: "Failed",
  unknown: "No answer",
  found: "Found on the platform",
  not_found: "Not on the platform",
};

function Attempts({ postId }: { postId: string }) {
  const detail = useQuery(trpc.publishing.posts.get.queryOptions({ postId }));
  if (detail.isPending)
    return (
      <p className="loading small" role="status">
        <span className="spinner" aria-hidden="true" /> Loading attempts…
      </p>
    );
  if (detail.isError)
    return (
      <p className="status status-error" role="alert">
        {describeError(detail.error).message}
      </p>
    );
  if (detail.data.attempts.length === 0) return <p className="muted small">No attempts yet.</p>;
  return (
    <ol className={styles.attempts} aria-label="Attempts">
      {detail.data.attempts.map((a) => (
        <li key={a.id}>
          <time dateTime={a.startedAt}>{formatDateTime(a.startedAt)}</time> · {a.kind === "reconcile" ? "Check" : "Publish"} ·{" "}
          <strong>{OUTCOMES[a.outcome] ?? a.outcome}</strong>
          {a.statusCode !== null && ` · HTTP ${a.statusCode}`} · {a.durationMs} ms
          {a.error && <span className="error-text"> — {a.error}</span>}
        </li>
      ))}
    </ol>
  );
}

/** Edit the text and reschedule (or schedule a draft) in place. */
function EditPost({ post, onDone, focusOnOpen = false }: { post: Post; onDone: () => void; focusOnOpen?: boolean }) {
  const qc = useQueryClient();
  const editor = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!focusOnOpen) return;
    editor.current?.scrollIntoView({ block: "center" });
    editor.current?.querySelector<HTMLElement>("textarea, input")?.focus({ preventScroll: true });
  }, [focusOnOpen]);
  const [parts, setParts] = useState(post.parts);
  const [title, setTitle] = useState(post.title ?? "");
  const [schedule, setSchedule] = useState<ScheduleValue>(() => {
    const zone = post.timeZone ?? browserTimeZone();
    return splitLocal(post.scheduledLocal ?? suggestedLocal(zone), zone);
  });
  const [whenError, setWhenError] = useState<string | null>(null);
  const [partErrors, setPartErrors] = useState(new Map<number, string[]>());
  const [problem, setProblem] = useState<string | null>(null);
  const update = useMutation(
    trpc.publishing.posts.update.mutationOptions({
      onSuccess: async () => {
        await qc.invalidateQueries(trpc.publishing.posts.pathFilter());
        onDone();
      },
      onError: (error) => {
        const described = describeError(error, ["when", "when.local", "when.timeZone"]);
        const when = Object.values(described.fieldErrors)[0];
        if (when) setWhenError(when);
        if (described.message) {
          if (/\b(time|past|future)/i.test(described.message)) setWhenError(described.message);
          else setProblem(described.message);
        }
      },
    }),
  );
  const check = checkChannel(post.platform, parts, title);
  const save = (kind: "keep" | "at") => {
    setWhenError(null);
    setProblem(null);
    setPartErrors(check.parts);
    if (!check.ok) return setProblem([...check.title, ...check.post][0] ?? "Fix what is marked first.");
    if (kind === "at") {
      const problem = scheduleProblem(scheduleLocal(schedule), schedule.timeZone);
      if (problem) return setWhenError(problem);
    }
    update.mutate({
      postId: post.id,
      parts,
      ...(post.platform === "wordpress" ? { title } : {}),
      ...(kind === "at" ? { when: { kind: "at" as const, local: scheduleLocal(schedule), timeZone: schedule.timeZone } } : {}),
    });
  };
  return (
    <div className={styles.postEdit} ref={editor}>
      {post.platform === "wordpress" && (
        <div className="field">
          <label htmlFor={`title-${post.id}`}>Title</label>
          <input id={`title-${post.id}`} type="text" value={title} onChange={(e) => setTitle(e.target.value)} />
        </div>
      )}
      <ThreadEditor
        label="Post text"
        parts={parts}
        onChange={setParts}
        platforms={[post.platform]}
        threaded={takesThreads(post.platform)}
        errors={partErrors}
      />
      <ScheduleFields value={schedule} onChange={setSchedule} error={whenError ?? undefined} legend="Publish at" />
      {problem && (
        <p className="status status-error" role="alert">
          {problem}
        </p>
      )}
      <div className="row-actions">
        <Button className="btn-small" pending={update.isPending} pendingLabel="Saving…" onClick={() => save("at")}>
          {post.status === "draft" ? "Schedule" : "Save and reschedule"}
        </Button>
        <Button variant="secondary" className="btn-small" pending={update.isPending} onClick={() => save("keep")}>
          {post.status === "draft" ? "Save draft" : "Save text only"}
        </Button>
        <Button variant="ghost" className="btn-small" onClick={onDone}>
          Discard changes
        </Button>
      </div>
    </div>
  );
}
