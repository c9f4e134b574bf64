import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { PagedResults } from "../components/PagedResults.tsx";
import { PostItem } from "../components/publishing/PostItem.tsx";
import { PublishingTabs } from "../components/publishing/PublishingCommon.tsx";
import styles from "../components/publishing/publishing.module.css";
import { type Outputs, trpc } from "../lib/api.ts";
import { uniqueRows } from "../lib/pagination.ts";
import { type PostStatus, STATUS_LABELS } from "../lib/publishing.ts";
import { useSearchState } from "../lib/search-state.ts";

type Connection = Outputs["publishing"]["connections"]["list"][number];
type Filter = "all" | "published" | "failed" | "cancelled";

const FILTERS: Filter[] = ["all", "published", "failed", "cancelled"];
const STATUSES: Record<Filter, PostStatus[]> = {
  all: ["published", "failed", "cancelled"],
  published: ["published"],
  failed: ["failed"],
  cancelled: ["cancelled"],
};

const readFilter = (params: URLSearchParams): Filter => {
  const value = params.get("status") as Filter | null;
  return value && FILTERS.includes(value) ? value : "all";
};
const writeFilter = (filter: Filter) => new URLSearchParams(filter === "all" ? {} : { status: filter });

/** /publishing/history: what went out (with links to the live posts) and what failed (and why). */
export function PublishingHistoryPage() {
  const [filter, setFilter] = useSearchState(readFilter, writeFilter);
  const connections = useQuery(trpc.publishing.connections.list.queryOptions());
  const accounts = useMemo(() => new Map<string, Connection>((connections.data ?? []).map((c) => [c.id, c])), [connections.data]);
  const history = useInfiniteQuery(
    trpc.publishing.posts.list.infiniteQueryOptions(
      { status: STATUSES[filter], order: "desc", limit: 25 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined, placeholderData: keepPreviousData },
    ),
  );
  const rows = uniqueRows(history.data?.pages.map((p) => p.items));

  return (
    <div className="page page-wide">
      <title>History · Publishing · Inkwell</title>
      <header className="page-header">
        <h1 tabIndex={-1}>History</h1>
        <p className="muted">Published and failed posts, newest first, with every attempt.</p>
      </header>
      <PublishingTabs />
      <fieldset className="segmented">
        <legend className="visually-hidden">Show</legend>
        {FILTERS.map((f) => (
          <label key={f} className="segment">
            <input type="radio" name="pub-history-filter" checked={filter === f} onChange={() => setFilter(f)} />
            <span>{f === "all" ? "All" : STATUS_LABELS[f]}</span>
          </label>
        ))}
      </fieldset>
      <div className="section-actions">
        <PagedResults
          query={history}
          shown={rows.length}
          filtered={filter !== "all"}
          loadingText="Loading history…"
          emptyText="Nothing published yet."
          noMatchText="No posts with this status."
          onClearFilters={() => setFilter("all")}
          noun={["post", "posts"]}
        >
          <ul className={styles.posts} aria-label="History">
            {rows.map((post) => (
              <PostItem
                key={post.id}
                post={post}
                account={post.connectionId ? accounts.get(post.connectionId) : undefined}
                history
              />
            ))}
          </ul>
        </PagedResults>
      </div>
    </div>
  );
}
