/**
 * The source image: the caller's image assets as a grid of thumbnails (one pressed), and the optional
 * persona whose name and description steer the prompts. Upload images on the Assets page.
 */
import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { Link } from "react-router";
import { trpc } from "../../../lib/api.ts";
import { describeError } from "../../../lib/errors.ts";
import s from "./prompts.module.css";

export function ImagePicker({ selected, onSelect }: { selected: string | null; onSelect: (assetId: string | null) => void }) {
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
        No images yet. <Link to="/studio/assets">Upload a photo to your assets</Link>, then come back to pick it.
      </p>
    );
  }
  return (
    <ul className={s.picker} aria-label="Your images: pick one">
      {images.map((image) => (
        <li key={image.id}>
          <button
            type="button"
            className={s.pick}
            aria-pressed={selected === image.id}
            onClick={() => onSelect(selected === image.id ? null : image.id)}
            data-role="pick-image"
          >
            <img src={image.thumbnailUrl ?? image.url} alt="" loading="lazy" />
            <span className={s.pickName}>{image.filename}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

export function PersonaSelect({ value, onChange }: { value: string | null; onChange: (personaId: string | null) => void }) {
  const id = useId();
  const personas = useQuery(trpc.studio.personas.list.queryOptions());
  const list = personas.data ?? [];
  return (
    <div className="field">
      <label htmlFor={id}>Persona (optional)</label>
      <select id={id} value={value ?? ""} onChange={(e) => onChange(e.target.value || null)} disabled={list.length === 0}>
        <option value="">{list.length === 0 ? "No personas yet" : "None"}</option>
        {list.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </div>
  );
}
