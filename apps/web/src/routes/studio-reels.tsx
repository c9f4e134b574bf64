/**
 * Studio → Reels (/studio/reels): viral reels saved for inspiration. Paste a link; its view count and
 * thumbnail arrive from the worker (the board looks again every two seconds while any are fetching);
 * approved at 100,000 views, denied below, until the user decides. Sorted by views; filtered by
 * status, platform and favourites (kept in the address, so a filtered board can be bookmarked).
 */
import { REEL_PLATFORMS, REEL_STATUSES } from "@inkwell/domain/studio/schemas";
import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { ReelCard, STALLED_AFTER_MS } from "../components/studio/ReelCard.tsx";
import { SaveReelForm } from "../components/studio/SaveReelForm.tsx";
import s from "../components/studio/studio.module.css";
import { EmptyState } from "../components/ui/empty-state.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

const POLL_MS = 2000;
const STATUS_LABEL = { pending: "Waiting", approved: "Approved", denied: "Denied" } as const;
const PLATFORM_LABEL = { instagram: "Instagram", tiktok: "TikTok", youtube: "YouTube" } as const;

type Status = (typeof REEL_STATUSES)[number];
type Platform = (typeof REEL_PLATFORMS)[number];

export function StudioReelsPage() {
  const [params, setParams] = useSearchParams();
  const status = REEL_STATUSES.find((v) => v === params.get("status")) as Status | undefined;
  const platform = REEL_PLATFORMS.find((v) => v === params.get("platform")) as Platform | undefined;
  const favorite = params.get("favorite") === "1" ? true : undefined;
  const filter = { ...(status ? { status } : {}), ...(platform ? { platform } : {}), ...(favorite ? { favorite } : {}) };
  const list = useQuery({
    ...trpc.studio.reels.list.queryOptions(filter),
    refetchInterval: (q) =>
      q.state.data?.some((r) => r.stats === "fetching" && Date.now() - new Date(r.statsRequestedAt).getTime() < STALLED_AFTER_MS)
        ? POLL_MS
        : false,
  });
  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const filtered = Boolean(status || platform || favorite);
  const info = useQuery({ ...trpc.system.info.queryOptions(), staleTime: Number.POSITIVE_INFINITY }).data;

  return (
    <div className="page page-wide">
      <title>Reels · Studio · Inkwell</title>
      <PageHeader
        title="Viral reels"
        lead="Save reels that work for inspiration. Views are fetched for you: 100,000 or more is approved, fewer is denied, and you can overrule either."
      />
      {info?.studio.reelStatsSandbox && (
        <p className="alert alert-warning small" data-role="reel-stats-sandbox">
          <strong>Placeholder view counts.</strong> This installation has no reel-stats provider (REEL_STATS_URL), so views and
          thumbnails come from a local stand-in and are not the reels' real numbers.
        </p>
      )}
      <SaveReelForm />
      <div className={s.filters}>
        <label>
          Status{" "}
          <select value={status ?? ""} onChange={(e) => set("status", e.target.value || null)}>
            <option value="">All</option>
            {REEL_STATUSES.map((v) => (
              <option key={v} value={v}>
                {STATUS_LABEL[v]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Platform{" "}
          <select value={platform ?? ""} onChange={(e) => set("platform", e.target.value || null)}>
            <option value="">All</option>
            {REEL_PLATFORMS.map((v) => (
              <option key={v} value={v}>
                {PLATFORM_LABEL[v]}
              </option>
            ))}
          </select>
        </label>
        <label className={s.check}>
          <input type="checkbox" checked={Boolean(favorite)} onChange={(e) => set("favorite", e.target.checked ? "1" : null)} />{" "}
          Favourites only
        </label>
      </div>
      {list.isPending ? (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading your reels…
        </p>
      ) : list.isError ? (
        <div role="alert" className="alert alert-error">
          {describeError(list.error).message}
        </div>
      ) : list.data.length === 0 ? (
        <EmptyState>
          {filtered ? "No reels match these filters." : "No reels yet. Paste a link above to save your first."}
        </EmptyState>
      ) : (
        <ul className={s.grid} aria-label="Saved reels, most viewed first">
          {list.data.map((reel) => (
            <ReelCard key={reel.id} reel={reel} />
          ))}
        </ul>
      )}
    </div>
  );
}
