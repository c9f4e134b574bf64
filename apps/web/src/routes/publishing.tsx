import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { Notice } from "../components/Alert.tsx";
import { type Post, PostItem } from "../components/publishing/PostItem.tsx";
import { PlatformMark, PublishingTabs } from "../components/publishing/PublishingCommon.tsx";
import styles from "../components/publishing/publishing.module.css";
import { type CalendarView, calendarDays, QueueCalendar } from "../components/publishing/QueueCalendar.tsx";
import { type Outputs, trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { excerpt, PLATFORM_NAMES, queuePollInterval, STATUS_LABELS } from "../lib/publishing.ts";
import { browserTimeZone, dayRangeToInstants, instantToLocal } from "../lib/publishing-time.ts";

type Connection = Outputs["publishing"]["connections"]["list"][number];

const SAVED: Record<string, string> = {
  scheduled: "Scheduled. It will go out at its time; this page updates as it does.",
  now: "Publishing now. This page updates as it goes out.",
  draft: "Saved as a draft.",
};

/** Merges the lists (same post in several: the most recently updated copy), soonest first. */
function mergePosts(...lists: (readonly Post[] | undefined)[]): Post[] {
  const byId = new Map<string, Post>();
  for (const post of lists.flatMap((l) => l ?? [])) {
    const seen = byId.get(post.id);
    if (!seen || seen.updatedAt < post.updatedAt) byId.set(post.id, post);
  }
  const at = (p: Post) => p.scheduledAt ?? p.publishedAt ?? p.createdAt;
  return [...byId.values()].sort((a, b) => at(a).localeCompare(at(b)));
}

/** /publishing: what is going out next (live), drafts, and the calendar. */
export function PublishingQueuePage() {
  const [params, setParams] = useSearchParams();
  const saved = params.get("saved");
  // A draft made elsewhere (a studio image's "Use in a post") opens in its editor.
  const editing = params.get("edit");
  const timeZone = browserTimeZone();
  const [openedAt] = useState(() => new Date(Date.now() - 60 * 60_000).toISOString());
  // Upcoming and in flight: polled while something is due soon or publishing, so statuses flip live.
  const upcoming = useQuery({
    ...trpc.publishing.posts.list.queryOptions({ status: ["pending", "publishing", "unknown"], order: "asc", limit: 100 }),
    refetchInterval: (query) => queuePollInterval(query.state.data?.items ?? []),
  });
  const interval = queuePollInterval(upcoming.data?.items ?? []);
  // What went out (or failed) lately, so a post that just published stays in view with its link.
  const recent = useQuery({
    ...trpc.publishing.posts.list.queryOptions({ status: ["published", "failed"], from: openedAt, order: "asc", limit: 50 }),
    refetchInterval: interval,
  });
  // A post leaving the upcoming list has just settled: read the recent list at once, so it stays in view.
  const upcomingIds = (upcoming.data?.items ?? []).map((p) => `${p.id}:${p.status}`).join();
  const refetchRecent = recent.refetch;
  useEffect(() => {
    if (upcomingIds !== undefined) void refetchRecent();
  }, [upcomingIds, refetchRecent]);
  // A post that just failed may have found its account's access revoked (the account is marked a
  // moment later): while one is in view, re-read the accounts' state now and then.
  const failedLately = (recent.data?.items ?? []).some(
    (p) => p.status === "failed" && Date.now() - new Date(p.updatedAt).getTime() < 120_000,
  );
  const connections = useQuery({
    ...trpc.publishing.connections.list.queryOptions(),
    refetchInterval: failedLately ? 3_000 : false,
  });
  const accounts = useMemo(() => new Map<string, Connection>((connections.data ?? []).map((c) => [c.id, c])), [connections.data]);
  const drafts = useQuery(trpc.publishing.posts.list.queryOptions({ status: ["draft"], order: "desc", limit: 50 }));

  const [view, setView] = useState<CalendarView>("month");
  const [anchor, setAnchor] = useState(() => instantToLocal(Date.now(), timeZone).slice(0, 10));
  const days = calendarDays(view, anchor);
  const range = dayRangeToInstants(days[0] as string, days.at(-1) as string, timeZone);
  const calendar = useQuery({
    ...trpc.publishing.posts.list.queryOptions({
      status: ["pending", "publishing", "unknown", "published", "failed"],
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      order: "asc",
      limit: 200,
    }),
    placeholderData: keepPreviousData,
    refetchInterval: interval,
  });

  const queue = mergePosts(upcoming.data?.items, recent.data?.items);
  const reauthDue = (upcoming.data?.items ?? []).filter(
    (p) => p.connectionId && accounts.get(p.connectionId)?.status === "needs_reauth",
  );

  return (
    <div className="page page-wide">
      <title>Publishing · Inkwell</title>
      <header className="page-header">
        <h1 tabIndex={-1}>Publishing</h1>
        <p className="muted">Your scheduled posts, as they go out.</p>
      </header>
      <PublishingTabs />
      <div className="stack">
        {saved && SAVED[saved] && (
          <div role="status">
            <Notice tone="success">
              <p>
                {SAVED[saved]}{" "}
                <button type="button" className="btn-link small" onClick={() => setParams({}, { replace: true })}>
                  Dismiss
                </button>
              </p>
            </Notice>
          </div>
        )}
        {reauthDue.length > 0 && (
          <div role="alert">
            <Notice tone="error" title="Some scheduled posts cannot go out">
              <p>
                {reauthDue.length === 1 ? "A post is" : `${reauthDue.length} posts are`} scheduled on an account that needs
                reconnecting. <Link to="/publishing/connections">Reconnect it</Link> before they are due.
              </p>
            </Notice>
          </div>
        )}
        <section aria-labelledby="pub-queue-heading">
          <div className={`toolbar ${styles.toolbar}`}>
            <h2 id="pub-queue-heading">Queue</h2>
            <Link className="btn btn-primary" to="/publishing/compose">
              New post
            </Link>
          </div>
          {upcoming.isPending ? (
            <p className="loading" role="status">
              <span className="spinner" aria-hidden="true" /> Loading the queue…
            </p>
          ) : upcoming.isError ? (
            <p className="status status-error" role="alert">
              {describeError(upcoming.error).message}
            </p>
          ) : queue.length === 0 ? (
            <div className="empty">
              <p>
                Nothing scheduled. <Link to="/publishing/compose">Write a post</Link>
                {connections.data?.length === 0 && (
                  <>
                    {" "}
                    — first, <Link to="/publishing/connections">connect an account</Link>
                  </>
                )}
                .
              </p>
            </div>
          ) : (
            <>
              <ul className={styles.posts} aria-label="Queue">
                {queue.map((post) => (
                  <PostItem key={post.id} post={post} account={post.connectionId ? accounts.get(post.connectionId) : undefined} />
                ))}
              </ul>
              {upcoming.data.nextCursor && (
                <p className="muted small section-actions">
                  Showing the next {upcoming.data.items.length} scheduled posts; the calendar below shows every day.
                </p>
              )}
            </>
          )}
        </section>

        {(drafts.data?.items.length ?? 0) > 0 && (
          <section aria-labelledby="pub-drafts-heading">
            <h2 id="pub-drafts-heading">Drafts</h2>
            <ul className={styles.posts} aria-label="Drafts">
              {drafts.data?.items.map((post) => (
                <PostItem
                  key={post.id}
                  post={post}
                  account={post.connectionId ? accounts.get(post.connectionId) : undefined}
                  startEditing={post.id === editing}
                />
              ))}
            </ul>
          </section>
        )}

        <QueueCalendar
          posts={calendar.data?.items ?? []}
          view={view}
          anchor={anchor}
          timeZone={timeZone}
          onViewChange={setView}
          onAnchorChange={setAnchor}
          loading={calendar.isFetching && calendar.isPlaceholderData}
          renderDayAction={(day, isPast) =>
            isPast ? null : (
              <Link
                className={styles.dayAdd}
                to={`/publishing/compose?date=${day}`}
                aria-label={`Schedule a post on ${new Date(`${day}T12:00:00Z`).toLocaleDateString(undefined, { dateStyle: "full", timeZone: "UTC" })}`}
              >
                +
              </Link>
            )
          }
          renderPost={(post, time) => {
            const account = post.connectionId ? accounts.get(post.connectionId) : undefined;
            return (
              <span
                className={styles.calPost}
                data-status={post.status}
                title={`${time} · ${PLATFORM_NAMES[post.platform]}${account ? ` @${account.username}` : ""} · ${STATUS_LABELS[post.status]}\n${excerpt(post.parts, 200)}`}
              >
                <PlatformMark platform={post.platform} />
                <time>{time}</time>
                <span className={styles.calPostText}>{excerpt(post.parts, 40)}</span>
                <span className="visually-hidden">, {STATUS_LABELS[post.status]}</span>
              </span>
            );
          }}
        />
        {calendar.data?.nextCursor && (
          <p className="muted small">
            This {view} has more posts than the calendar shows at once (the first {calendar.data.items.length}).
          </p>
        )}
        {calendar.isError && (
          <p className="status status-error" role="alert">
            {describeError(calendar.error).message}
          </p>
        )}
      </div>
    </div>
  );
}
