/**
 * The caller's image assets as a grid of thumbnails, each a toggle button (pressed = chosen): what a
 * persona's reference images and a prompt's source photo are picked from. Loading, errors and an empty
 * library (with the way to the Assets page) are said here; the caller decides what pressing does.
 * Page by page (the newest first, "Load more" for older ones), so every image can be reached and a
 * chosen one beyond the first page can be seen and unchosen.
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { LoadMore } from "../LoadMore.tsx";
import s from "./image-asset-grid.module.css";

export function ImageAssetGrid({
  label,
  isPressed,
  onPress,
  emptyHint,
  dataRole,
}: {
  /** The list's accessible name. */
  label: string;
  isPressed: (assetId: string) => boolean;
  onPress: (assetId: string) => void;
  /** After "No images yet. Upload photos to your assets": what to do then. */
  emptyHint: string;
  dataRole: string;
}) {
  const assets = useInfiniteQuery(
    trpc.studio.assets.list.infiniteQueryOptions({ kind: "image" }, { getNextPageParam: (last) => last.nextCursor ?? undefined }),
  );
  if (assets.isPending) {
    return (
      <p className="loading" role="status">
        <span className="spinner" aria-hidden="true" /> Loading your images…
      </p>
    );
  }
  if (assets.isError) {
    return (
      <div role="alert" className="alert alert-error">
        {describeError(assets.error).message}
      </div>
    );
  }
  const images = assets.data.pages.flatMap((p) => p.assets).filter((a) => a.kind === "image");
  if (images.length === 0) {
    return (
      <p className="muted">
        No images yet. <Link to="/studio/assets">Upload photos to your assets</Link>, {emptyHint}
      </p>
    );
  }
  return (
    <>
      <ul className={s.picker} aria-label={label}>
        {images.map((image) => (
          <li key={image.id}>
            <button
              type="button"
              className={s.pick}
              aria-pressed={isPressed(image.id)}
              onClick={() => onPress(image.id)}
              data-role={dataRole}
            >
              <img src={image.thumbnailUrl ?? image.url} alt="" loading="lazy" />
              <span className={s.pickName}>{image.filename}</span>
            </button>
          </li>
        ))}
      </ul>
      {(assets.hasNextPage || assets.data.pages.length > 1) && (
        <LoadMore
          shown={images.length}
          noun={["image", "images"]}
          hasMore={assets.hasNextPage}
          loading={assets.isFetchingNextPage}
          onLoad={() => void assets.fetchNextPage()}
        />
      )}
    </>
  );
}
