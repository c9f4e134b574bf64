/**
 * The live preview beside the designer: the cover (title, subtitle, cover photo, in the template's
 * colours) and the contents as they stand in the form, before anything is saved or rendered. The
 * typeset pages come from the proof below.
 */
import { BOOK_TEMPLATE_LABELS } from "@inkwell/domain/books/schemas";
import s from "./books.module.css";
import type { Design, SourceStory } from "./StoryPicker.tsx";

export function LiveOutline({
  design,
  stories,
  coverPhotoUrl,
}: {
  design: Design;
  stories: SourceStory[];
  coverPhotoUrl: string | null;
}) {
  const titles = new Map(stories.map((st) => [st.id, st.title]));
  const photos = stories
    .filter((st) => design.storyIds.includes(st.id))
    .reduce(
      (n, st) => n + st.photos.filter((p) => design.photoFileIds === null || design.photoFileIds.includes(p.fileId)).length,
      0,
    );
  return (
    <div className={s.outline} data-testid="live-outline">
      <h2 className={s.subhead}>Live preview</h2>
      <div className={s.coverMock} data-template={design.template} role="img" aria-label={`Cover: ${design.title}`}>
        {coverPhotoUrl && <img src={coverPhotoUrl} alt="" />}
        <span className={s.coverTitle}>{design.title || "Untitled"}</span>
        {design.subtitle && <span className={s.coverSubtitle}>{design.subtitle}</span>}
      </div>
      <p className={s.meta}>
        {BOOK_TEMPLATE_LABELS[design.template]} · {design.storyIds.length} stories · {photos} photos
      </p>
      <h3 className={s.subhead}>Contents</h3>
      {design.storyIds.length ? (
        <ol className={s.toc}>
          {design.storyIds.map((id) => (
            <li key={id}>{titles.get(id) ?? "…"}</li>
          ))}
        </ol>
      ) : (
        <p className={s.meta}>No stories chosen yet.</p>
      )}
    </div>
  );
}
