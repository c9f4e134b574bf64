/**
 * What a book needs from the stories (the books module codes against this, PLAN-session-12 "Story
 * media"): the stories asked for, in the order asked, each with its photos in story order. Runs in the
 * caller's RLS transaction, so a story the caller may not see (or of another campaign) is left out.
 */
import type { Tx } from "@inkwell/db";
import * as repo from "./stories-media.repository.ts";

export interface BookStoryPhoto {
  /** The served image: orientation applied, metadata stripped. */
  fileId: string;
  caption: string;
  width: number;
  height: number;
}

export interface BookStory {
  id: string;
  title: string;
  content: string;
  category: string;
  photos: BookStoryPhoto[];
}

export async function storiesForBook(tx: Tx, campaignId: string, storyIds: readonly string[]): Promise<BookStory[]> {
  const unique = [...new Set(storyIds)];
  const rows = await repo.storiesByIds(tx, campaignId, unique);
  const photos = await repo.photosOfStories(
    tx,
    rows.map((r) => r.id),
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return unique.flatMap((id) => {
    const story = byId.get(id);
    if (!story) return [];
    return [
      {
        id: story.id,
        title: story.title,
        content: story.content,
        category: story.category,
        photos: photos
          .filter((p) => p.story_id === id)
          .map((p) => ({ fileId: p.file_id, caption: p.caption, width: p.width, height: p.height })),
      },
    ];
  });
}
