/** One asset in the library grid: its preview (thumbnail, or an inline player), name, tags, favourite, selection, delete. */
import { formatBytes } from "@inkwell/domain/files/schemas";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { type Outputs, trpc } from "../../../lib/api.ts";
import { describeError } from "../../../lib/errors.ts";
import { Button } from "../../SubmitButton.tsx";
import { ConfirmDialog } from "../../ui/confirm-dialog.tsx";
import s from "./assets.module.css";
import { formatDuration } from "./upload.ts";

export type Asset = Outputs["studio"]["assets"]["list"]["assets"][number];

const KIND_LABEL: Record<Asset["kind"], string> = { image: "Image", audio: "Audio", video: "Video", document: "Document" };

function Preview({ asset }: { asset: Asset }) {
  if (asset.kind === "image")
    return (
      <a href={asset.url} target="_blank" rel="noreferrer noopener" className={s.preview}>
        <img src={asset.thumbnailUrl ?? asset.url} alt={asset.filename} loading="lazy" />
      </a>
    );
  if (asset.kind === "audio")
    return (
      <div className={s.preview} data-kind="audio">
        {/* biome-ignore lint/a11y/useMediaCaption: the user's own recordings have no captions to offer */}
        <audio controls preload="none" src={asset.url} aria-label={`Play ${asset.filename}`} />
      </div>
    );
  if (asset.kind === "video")
    return (
      <div className={s.preview} data-kind="video">
        {/* preload="none": the file route reads a file whole (up to 50 MB) for every request, so a page of
            videos must not fetch each one just to show its first frame. */}
        {/* biome-ignore lint/a11y/useMediaCaption: the user's own clips have no captions to offer */}
        <video controls preload="none" playsInline src={asset.url} aria-label={`Play ${asset.filename}`} />
      </div>
    );
  return (
    <a href={asset.url} className={s.preview} data-kind="document" download={asset.filename}>
      <span className={s.docBadge}>{asset.contentType === "application/pdf" ? "PDF" : "TXT"}</span>
    </a>
  );
}

export function AssetCard({
  asset,
  selected,
  onSelect,
  onTagClick,
}: {
  asset: Asset;
  selected: boolean;
  onSelect: (selected: boolean) => void;
  onTagClick: (tag: string) => void;
}) {
  const qc = useQueryClient();
  const [problem, setProblem] = useState<string | null>(null);
  const [tag, setTag] = useState("");
  const [confirming, setConfirming] = useState(false);
  const refresh = () => qc.invalidateQueries(trpc.studio.assets.list.pathFilter());
  const update = useMutation(
    trpc.studio.assets.update.mutationOptions({
      onSuccess: () => {
        setProblem(null);
        void refresh();
      },
      onError: (e) => setProblem(describeError(e).message),
    }),
  );
  const remove = useMutation(trpc.studio.assets.delete.mutationOptions({ onSuccess: () => refresh() }));
  const facts = [
    KIND_LABEL[asset.kind],
    asset.width && asset.height ? `${asset.width}×${asset.height}` : null,
    asset.durationMs != null ? formatDuration(asset.durationMs) : null,
    formatBytes(asset.byteSize),
  ].filter(Boolean);
  const addTag = () => {
    const t = tag.trim().toLowerCase();
    if (!t || asset.tags.includes(t)) return setTag("");
    update.mutate({ assetId: asset.id, tags: [...asset.tags, t] }, { onSuccess: () => setTag("") });
  };

  return (
    <li className={s.card} data-selected={selected || undefined} aria-label={asset.filename} data-kind={asset.kind}>
      <label className={s.select}>
        <input type="checkbox" checked={selected} onChange={(e) => onSelect(e.target.checked)} />
        <span className="visually-hidden">Select {asset.filename}</span>
      </label>
      <button
        type="button"
        className={s.star}
        aria-pressed={asset.isFavorite}
        aria-label={asset.isFavorite ? `Unfavourite ${asset.filename}` : `Favourite ${asset.filename}`}
        onClick={() => update.mutate({ assetId: asset.id, isFavorite: !asset.isFavorite })}
      >
        {asset.isFavorite ? "★" : "☆"}
      </button>
      <Preview asset={asset} />
      <div className={s.cardBody}>
        <p className={s.name} title={asset.filename}>
          {asset.filename}
        </p>
        <p className={s.facts}>
          {facts.join(" · ")}
          {asset.source !== "upload" && <span className={s.source}> · {asset.source === "voice" ? "Voice" : "Generated"}</span>}
        </p>
        {asset.tags.length > 0 && (
          <ul className={s.tags} aria-label="Tags">
            {asset.tags.map((t) => (
              <li key={t}>
                <button type="button" className={s.tag} onClick={() => onTagClick(t)} title={`Show assets tagged ${t}`}>
                  {t}
                </button>
                <button
                  type="button"
                  className={s.tagRemove}
                  aria-label={`Remove tag ${t}`}
                  onClick={() => update.mutate({ assetId: asset.id, tags: asset.tags.filter((x) => x !== t) })}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        <form
          className={s.tagForm}
          onSubmit={(e) => {
            e.preventDefault();
            addTag();
          }}
        >
          <input
            type="text"
            value={tag}
            onChange={(e) => setTag(e.target.value)}
            placeholder="Add a tag"
            maxLength={40}
            aria-label={`Add a tag to ${asset.filename}`}
          />
          <Button type="submit" variant="secondary" pending={update.isPending}>
            Tag
          </Button>
        </form>
        {problem && (
          <p role="alert" className={s.error}>
            {problem}
          </p>
        )}
        <Button variant="ghost" className={s.deleteButton} onClick={() => setConfirming(true)}>
          Delete
        </Button>
      </div>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title={`Delete “${asset.filename}”?`}
        description="The file is deleted from your library and storage. This cannot be undone."
        confirmLabel="Delete"
        pendingLabel="Deleting…"
        onConfirm={() => remove.mutateAsync({ assetId: asset.id })}
      />
    </li>
  );
}
