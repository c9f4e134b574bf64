/**
 * The persona's reference images: the caller's image assets as thumbnails, each a toggle (pressed =
 * chosen). Upload images on the Assets page.
 */
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { trpc } from "../../../lib/api.ts";
import { describeError } from "../../../lib/errors.ts";
import s from "./personas.module.css";

export const MAX_REFERENCE_IMAGES = 20;

export function ReferencePicker({ selected, onChange }: { selected: string[]; onChange: (ids: string[]) => void }) {
  const assets = useQuery(trpc.studio.assets.list.queryOptions({ kind: "image" }));
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
  const images = assets.data.assets.filter((a) => a.kind === "image");
  if (images.length === 0) {
    return (
      <p className="muted">
        No images yet. <Link to="/studio/assets">Upload photos to your assets</Link>, then pick them here.
      </p>
    );
  }
  const toggle = (id: string) =>
    onChange(selected.includes(id) ? selected.filter((x) => x !== id) : [...selected, id].slice(0, MAX_REFERENCE_IMAGES));
  return (
    <ul className={s.picker} aria-label={`Reference images: ${selected.length} chosen (up to ${MAX_REFERENCE_IMAGES})`}>
      {images.map((image) => (
        <li key={image.id}>
          <button
            type="button"
            className={s.pick}
            aria-pressed={selected.includes(image.id)}
            onClick={() => toggle(image.id)}
            data-role="pick-reference"
          >
            <img src={image.thumbnailUrl ?? image.url} alt="" loading="lazy" />
            <span className={s.pickName}>{image.filename}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
