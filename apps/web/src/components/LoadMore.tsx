import { useEffect, useRef, useState } from "react";
import { Status } from "./Alert.tsx";
import styles from "./LoadMore.module.css";
import { Button } from "./SubmitButton.tsx";

/**
 * "Load more" under a paginated table: says how many rows are shown, announces how many arrived, and
 * when the last page is in (the button goes away) keeps keyboard focus on the line that replaces it.
 */
export function LoadMore({
  shown,
  noun,
  hasMore,
  loading,
  onLoad,
}: {
  shown: number;
  /** Singular and plural, e.g. ["entry", "entries"]. */
  noun: [string, string];
  hasMore: boolean;
  loading: boolean;
  onLoad: () => void;
}) {
  const button = useRef<HTMLButtonElement>(null);
  const end = useRef<HTMLParagraphElement>(null);
  /** The row count when "Load more" was pressed, and whether that load has been seen running. */
  const request = useRef<{ shown: number; started: boolean } | null>(null);
  const hadFocus = useRef(false);
  const [status, setStatus] = useState<string | null>(null);
  const word = (n: number) => (n === 1 ? noun[0] : noun[1]);

  useEffect(() => {
    const r = request.current;
    if (!r) return;
    if (loading) {
      r.started = true;
      return;
    }
    if (!r.started) return;
    const added = shown - r.shown;
    request.current = null;
    setStatus(added > 0 ? `Loaded ${added} more ${word(added)}.` : `No more ${noun[1]}.`);
    if (!hasMore && hadFocus.current) end.current?.focus();
  });

  return (
    <div className={styles.loadMore}>
      <p className="muted small" ref={end} tabIndex={-1}>
        {hasMore ? `Showing ${shown} ${word(shown)}` : `${shown === 1 ? "The only" : `All ${shown}`} ${word(shown)} shown.`}
      </p>
      {hasMore && (
        <Button
          ref={button}
          variant="secondary"
          pending={loading}
          pendingLabel="Loading…"
          onClick={() => {
            request.current = { shown, started: false };
            hadFocus.current = document.activeElement === button.current;
            setStatus(null);
            onLoad();
          }}
        >
          Load more
        </Button>
      )}
      <Status tone="info">{status}</Status>
    </div>
  );
}
