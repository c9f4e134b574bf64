/** One saved reel: thumbnail, views, the approval (with the user's override), favourite, notes, refresh, delete. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { type Outputs, trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { Button } from "../SubmitButton.tsx";
import s from "./studio.module.css";

export type Reel = Outputs["studio"]["reels"]["list"][number];

const PLATFORM_LABEL: Record<Reel["platform"], string> = { instagram: "Instagram", tiktok: "TikTok", youtube: "YouTube" };
const STATUS_LABEL: Record<Reel["status"], string> = { pending: "Waiting for views", approved: "Approved", denied: "Denied" };

/** The stats job retries for about two minutes; past this a reel still fetching is stalled, not waited on. */
export const STALLED_AFTER_MS = 3 * 60_000;
const stalled = (reel: Reel) =>
  reel.stats === "fetching" && Date.now() - new Date(reel.statsRequestedAt).getTime() >= STALLED_AFTER_MS;

export function formatViews(n: number): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? "view" : "views"}`;
}

export function ReelCard({ reel }: { reel: Reel }) {
  const qc = useQueryClient();
  const [problem, setProblem] = useState<string | null>(null);
  const [notes, setNotes] = useState(reel.notes);
  const done = {
    onSuccess: () => {
      setProblem(null);
      void qc.invalidateQueries({ queryKey: trpc.studio.reels.list.queryKey() });
    },
    onError: (e: unknown) => setProblem(describeError(e).message),
  };
  const update = useMutation(trpc.studio.reels.update.mutationOptions(done));
  const refresh = useMutation(trpc.studio.reels.refresh.mutationOptions(done));
  const remove = useMutation(trpc.studio.reels.delete.mutationOptions(done));
  const title = reel.title ?? `${PLATFORM_LABEL[reel.platform]} reel ${reel.shortcode}`;

  return (
    <li className={s.card} data-status={reel.status} aria-label={title}>
      <a className={s.thumb} href={reel.url} target="_blank" rel="noreferrer noopener">
        {reel.thumbnailUrl ? (
          <img src={reel.thumbnailUrl} alt={`Thumbnail of ${title}`} width={90} height={160} />
        ) : (
          <span className={s.thumbEmpty}>{reel.stats === "fetching" && !stalled(reel) ? "Loading…" : "No thumbnail"}</span>
        )}
      </a>
      <div className={s.body}>
        <p className={s.meta}>
          <span className={s.platform}>{PLATFORM_LABEL[reel.platform]}</span>
          <span className={s.status} data-status={reel.status}>
            {STATUS_LABEL[reel.status]}
            {reel.statusOverridden ? " (yours)" : ""}
          </span>
        </p>
        <h2 className={s.title}>
          <a href={reel.url} target="_blank" rel="noreferrer noopener">
            {title}
          </a>
        </h2>
        <p className={s.views} role="status">
          {reel.viewCount != null
            ? formatViews(reel.viewCount)
            : reel.stats === "failed"
              ? (reel.statsError ?? "Views unavailable")
              : stalled(reel)
                ? `Views not fetched yet${reel.statsError ? ` (${reel.statsError})` : ""}. Try Refresh views.`
                : "Fetching views…"}
        </p>
        <label className={s.notesLabel}>
          Notes
          <textarea
            className={s.notes}
            rows={2}
            maxLength={2000}
            value={notes}
            onChange={(e) => setNotes(e.target.value)}
            onBlur={() => notes !== reel.notes && update.mutate({ reelId: reel.id, notes })}
          />
        </label>
        <div className={s.actions}>
          <Button
            variant="secondary"
            className="btn-small"
            aria-pressed={reel.isFavorite}
            onClick={() => update.mutate({ reelId: reel.id, isFavorite: !reel.isFavorite })}
          >
            <span aria-hidden="true">{reel.isFavorite ? "★" : "☆"}</span> Favourite
          </Button>
          {reel.status !== "approved" && (
            <Button
              variant="secondary"
              className="btn-small"
              onClick={() => update.mutate({ reelId: reel.id, status: "approved" })}
            >
              Approve
            </Button>
          )}
          {reel.status !== "denied" && (
            <Button
              variant="secondary"
              className="btn-small"
              onClick={() => update.mutate({ reelId: reel.id, status: "denied" })}
            >
              Deny
            </Button>
          )}
          <Button
            variant="ghost"
            className="btn-small"
            pending={refresh.isPending}
            onClick={() => refresh.mutate({ reelId: reel.id })}
          >
            Refresh views
          </Button>
          <Button
            variant="ghost"
            className="btn-small"
            pending={remove.isPending}
            onClick={() => remove.mutate({ reelId: reel.id })}
          >
            Delete
          </Button>
        </div>
        {problem && (
          <p className={s.problem} role="alert">
            {problem}
          </p>
        )}
      </div>
    </li>
  );
}
