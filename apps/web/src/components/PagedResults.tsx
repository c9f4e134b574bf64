/**
 * The states every filtered, paged list shows the same way: loading, an error (when nothing is shown
 * yet), empty (with "clear filters" when filters hide everything), and the results with "load more".
 * The caller renders the rows (`children`) from its own infinite query.
 */
import type { ReactNode } from "react";
import { describeError } from "../lib/errors.ts";
import { LoadMore } from "./LoadMore.tsx";

export function PagedResults({
  query,
  shown,
  filtered,
  loadingText,
  emptyText,
  noMatchText,
  onClearFilters,
  noun,
  children,
}: {
  /** The parts of a TanStack infinite query this needs. */
  query: {
    isPending: boolean;
    isError: boolean;
    error: Parameters<typeof describeError>[0];
    isFetchNextPageError: boolean;
    hasNextPage: boolean;
    isFetchingNextPage: boolean;
    fetchNextPage: () => Promise<unknown>;
  };
  /** How many rows are on screen. */
  shown: number;
  filtered: boolean;
  loadingText: string;
  emptyText: string;
  noMatchText: string;
  onClearFilters: () => void;
  noun: [string, string];
  children: ReactNode;
}) {
  if (query.isPending) {
    return (
      <p className="loading" role="status">
        <span className="spinner" aria-hidden="true" /> {loadingText}
      </p>
    );
  }
  if (query.isError && shown === 0) {
    return (
      <p className="status status-error" role="alert">
        {describeError(query.error).message}
      </p>
    );
  }
  if (shown === 0) {
    return (
      <div className="empty">
        {filtered ? (
          <>
            <p>{noMatchText}</p>
            <button type="button" className="btn-link" onClick={onClearFilters}>
              Clear filters
            </button>
          </>
        ) : (
          <p>{emptyText}</p>
        )}
      </div>
    );
  }
  return (
    <>
      {children}
      {query.isFetchNextPageError && (
        <p className="status status-error" role="alert">
          {describeError(query.error).message}
        </p>
      )}
      <LoadMore
        shown={shown}
        noun={noun}
        hasMore={query.hasNextPage}
        loading={query.isFetchingNextPage}
        onLoad={() => void query.fetchNextPage()}
      />
    </>
  );
}
