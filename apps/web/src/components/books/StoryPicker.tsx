/**
 * Choosing the book's stories and photos: every story of the campaign, those in the book first in book
 * order (moved with Up / Down buttons, so the order is keyboard-operable), then the others to add; each
 * story's photos can be left out one by one.
 */
import type { BookTemplate } from "@inkwell/domain/books/schemas";
import type { Outputs } from "../../lib/api.ts";
import s from "./books.module.css";

export type SourceStory = Outputs["books"]["sources"][number];

export interface Design {
  title: string;
  subtitle: string;
  template: BookTemplate;
  storyIds: string[];
  /** null: every photo of the chosen stories. */
  photoFileIds: string[] | null;
  coverPhotoFileId: string | null;
}

export function StoryPicker({
  stories,
  design,
  onChange,
}: {
  stories: SourceStory[];
  design: Design;
  onChange(next: Design): void;
}) {
  const byId = new Map(stories.map((st) => [st.id, st]));
  const chosen = design.storyIds.flatMap((id) => (byId.has(id) ? [byId.get(id) as SourceStory] : []));
  const others = stories.filter((st) => !design.storyIds.includes(st.id));
  const allPhotoIds = (ids: string[]) => ids.flatMap((id) => byId.get(id)?.photos.map((p) => p.fileId) ?? []);

  const setStories = (storyIds: string[]) => {
    // Photos of stories taken out leave the choice with them.
    const keep = new Set(allPhotoIds(storyIds));
    onChange({
      ...design,
      storyIds,
      photoFileIds: design.photoFileIds === null ? null : design.photoFileIds.filter((id) => keep.has(id)),
      coverPhotoFileId: design.coverPhotoFileId && keep.has(design.coverPhotoFileId) ? design.coverPhotoFileId : null,
    });
  };
  const move = (index: number, by: number) => {
    const next = [...design.storyIds];
    const [item] = next.splice(index, 1);
    if (item) next.splice(index + by, 0, item);
    setStories(next);
  };
  const photoIn = (fileId: string) => design.photoFileIds === null || design.photoFileIds.includes(fileId);
  const togglePhoto = (fileId: string, on: boolean) => {
    const current = design.photoFileIds ?? allPhotoIds(design.storyIds);
    // Kept in book order: the order of the stories, then of each story's photos.
    const wanted = new Set(on ? [...current, fileId] : current.filter((id) => id !== fileId));
    onChange({ ...design, photoFileIds: allPhotoIds(design.storyIds).filter((id) => wanted.has(id)) });
  };

  if (!stories.length) return <p className={s.meta}>This campaign has no stories yet.</p>;
  return (
    <div className={s.picker}>
      <ol className={s.chosen} aria-label="Stories in the book, in order">
        {chosen.map((st, i) => (
          <li key={st.id} className={s.storyRow}>
            <div className={s.storyHead}>
              <span className={s.storyTitle}>
                {i + 1}. {st.title}
              </span>
              <span className={s.meta}>
                {st.category} · {st.wordCount} words
              </span>
              <span className={s.actions}>
                <button
                  type="button"
                  className="btn btn-secondary btn-small"
                  disabled={i === 0}
                  onClick={() => move(i, -1)}
                  aria-label={`Move “${st.title}” up`}
                >
                  Up
                </button>
                <button
                  type="button"
                  className="btn btn-secondary btn-small"
                  disabled={i === chosen.length - 1}
                  onClick={() => move(i, 1)}
                  aria-label={`Move “${st.title}” down`}
                >
                  Down
                </button>
                <button
                  type="button"
                  className="btn btn-secondary btn-small"
                  onClick={() => setStories(design.storyIds.filter((id) => id !== st.id))}
                  aria-label={`Remove “${st.title}” from the book`}
                >
                  Remove
                </button>
              </span>
            </div>
            {st.photos.length > 0 && (
              <ul className={s.photos} aria-label={`Photos of “${st.title}”`}>
                {st.photos.map((p, k) => (
                  <li key={p.fileId}>
                    <label className={s.photo}>
                      <img src={p.url} alt={p.caption || `Photo ${k + 1} of “${st.title}”`} loading="lazy" />
                      <span>
                        <input
                          type="checkbox"
                          checked={photoIn(p.fileId)}
                          onChange={(e) => togglePhoto(p.fileId, e.target.checked)}
                        />{" "}
                        In the book
                      </span>
                    </label>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
      {others.length > 0 && (
        <>
          <h3 className={s.subhead}>Not in the book</h3>
          <ul className={s.others} aria-label="Stories not in the book">
            {others.map((st) => (
              <li key={st.id} className={s.storyHead}>
                <span className={s.storyTitle}>{st.title}</span>
                <span className={s.meta}>
                  {st.status} · {st.wordCount} words · {st.photos.length} photos
                </span>
                <button
                  type="button"
                  className="btn btn-secondary btn-small"
                  onClick={() => setStories([...design.storyIds, st.id])}
                  aria-label={`Add “${st.title}” to the book`}
                >
                  Add
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
