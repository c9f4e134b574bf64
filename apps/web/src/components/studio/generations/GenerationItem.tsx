/**
 * One generation in the queue: its prompt, live status (from the watch subscription, via the list
 * refetch it triggers), the error a failed one ended with, cancel while it runs, and its images with
 * "Save to assets" and "Use in a post" (a draft post with the image attached, opened in its editor in
 * Publishing).
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { type Outputs, trpc } from "../../../lib/api.ts";
import { describeError } from "../../../lib/errors.ts";
import { FormError } from "../../Alert.tsx";
import { Button } from "../../SubmitButton.tsx";
import s from "./generations.module.css";

export type ImageGeneration = Outputs["studio"]["generations"]["list"]["items"][number];

export const STATUS_LABEL: Record<ImageGeneration["status"], string> = {
  pending: "Waiting to start",
  submitting: "Sending to the image service",
  queued: "Queued",
  in_progress: "Generating",
  completed: "Done",
  failed: "Failed",
  nsfw: "Blocked (not safe for work)",
  cancelled: "Cancelled",
};
const RUNNING = new Set(["pending", "submitting", "queued", "in_progress"]);

export function GenerationItem({ generation: g }: { generation: ImageGeneration }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.studio.generations.list.queryKey() });
  const cancel = useMutation(trpc.studio.generations.cancel.mutationOptions({ onSuccess: () => void refresh() }));
  const save = useMutation(trpc.studio.generations.saveAsAsset.mutationOptions({ onSuccess: () => void refresh() }));
  // The new draft opens in its editor on the publishing page (not just somewhere in the drafts list).
  const toPost = useMutation(
    trpc.studio.generations.toPost.mutationOptions({
      onSuccess: async ({ postId }) => {
        await qc.invalidateQueries(trpc.publishing.posts.pathFilter());
        void navigate(`/publishing?saved=draft&edit=${postId}`);
      },
    }),
  );
  const problem = cancel.error ?? save.error ?? toPost.error;

  return (
    <li className={s.item} data-role="generation" data-status={g.status}>
      <div className={s.head}>
        <span className={s.status} data-status={g.status} data-role="generation-status" aria-live="polite">
          {STATUS_LABEL[g.status]}
          {RUNNING.has(g.status) && "…"}
        </span>
        {g.offline && (
          <span className="offline-badge" data-role="placeholder">
            Offline placeholder image
          </span>
        )}
        {g.provider === "own-key" && <span className="muted small">On your own image key</span>}
        {RUNNING.has(g.status) && (
          <Button variant="secondary" pending={cancel.isPending} onClick={() => cancel.mutate({ generationId: g.id })}>
            Cancel
          </Button>
        )}
      </div>
      <p className={s.prompt} data-role="generation-prompt">
        {g.promptText}
      </p>
      <p className="muted small">
        {g.settings.width}×{g.settings.height} · started {new Date(g.createdAt).toLocaleString()}
      </p>
      {g.errorMessage && (
        <p className="alert alert-error small" data-role="generation-error">
          {g.errorMessage}
        </p>
      )}
      <FormError problem={problem ? describeError(problem) : null} />
      {g.results.length > 0 && (
        <div className={s.results}>
          {g.results.map((r) => (
            <figure className={s.result} key={r.fileId} data-role="generation-result">
              <img
                src={r.url}
                alt={`Generated: ${g.promptText.slice(0, 120)}`}
                width={g.settings.width}
                height={g.settings.height}
              />
              <figcaption className={s.actions}>
                {r.assetId ? (
                  <span className="small" data-role="saved">
                    Saved to assets
                  </span>
                ) : (
                  <Button
                    variant="secondary"
                    pending={save.isPending && save.variables?.index === r.index}
                    onClick={() => save.mutate({ generationId: g.id, index: r.index })}
                  >
                    Save to assets
                  </Button>
                )}
                <Button
                  variant="secondary"
                  pending={toPost.isPending && toPost.variables?.index === r.index}
                  onClick={() => toPost.mutate({ generationId: g.id, index: r.index })}
                >
                  Use in a post
                </Button>
              </figcaption>
            </figure>
          ))}
        </div>
      )}
    </li>
  );
}
