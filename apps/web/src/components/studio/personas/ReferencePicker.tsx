/**
 * The persona's reference images: the caller's image assets as thumbnails, each a toggle (pressed =
 * chosen). Upload images on the Assets page.
 */
import { ImageAssetGrid } from "../ImageAssetGrid.tsx";

export const MAX_REFERENCE_IMAGES = 20;

export function ReferencePicker({ selected, onChange }: { selected: string[]; onChange: (ids: string[]) => void }) {
  const toggle = (id: string) =>
    onChange(selected.includes(id) ? selected.filter((x) => x !== id) : [...selected, id].slice(0, MAX_REFERENCE_IMAGES));
  return (
    <ImageAssetGrid
      label={`Reference images: ${selected.length} chosen (up to ${MAX_REFERENCE_IMAGES})`}
      isPressed={(id) => selected.includes(id)}
      onPress={toggle}
      emptyHint="then pick them here."
      dataRole="pick-reference"
    />
  );
}
