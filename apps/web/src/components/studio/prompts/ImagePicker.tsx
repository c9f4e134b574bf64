/**
 * The source image: the caller's image assets as a grid of thumbnails (one pressed), and the optional
 * persona whose name and description steer the prompts. Upload images on the Assets page.
 */
import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { trpc } from "../../../lib/api.ts";
import { ImageAssetGrid } from "../ImageAssetGrid.tsx";

export function ImagePicker({ selected, onSelect }: { selected: string | null; onSelect: (assetId: string | null) => void }) {
  return (
    <ImageAssetGrid
      label="Your images: pick one"
      isPressed={(id) => selected === id}
      onPress={(id) => onSelect(selected === id ? null : id)}
      emptyHint="then come back to pick one."
      dataRole="pick-image"
    />
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
