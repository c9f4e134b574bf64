/**
 * The SQL of a story's photos and recordings. User reads and writes run in the caller's RLS transaction
 * (migration 0041: members see, owners and contributors add); the `*AsSystem` callers are the answer link
 * (no account) and the transcription job.
 */
import type { Tables, Tx } from "@inkwell/db";
import type { Insertable, Selectable } from "kysely";

export type PhotoRow = Selectable<Tables.StoryPhotos>;
export type AudioRow = Selectable<Tables.StoryAudio>;

/** The stories of one campaign, by id (RLS decides which the caller sees). */
export function storiesByIds(tx: Tx, campaignId: string, storyIds: readonly string[]) {
  if (!storyIds.length) return Promise.resolve([]);
  return tx
    .selectFrom("stories")
    .select(["id", "title", "content", "category"])
    .where("campaign_id", "=", campaignId)
    .where("id", "in", [...storyIds])
    .execute();
}

export function photosOfStories(tx: Tx, storyIds: readonly string[]) {
  if (!storyIds.length) return Promise.resolve([] as PhotoRow[]);
  return tx
    .selectFrom("story_photos")
    .selectAll()
    .where("story_id", "in", [...storyIds])
    .orderBy("story_id")
    .orderBy("position")
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

export function audioOfStory(tx: Tx, storyId: string) {
  return tx.selectFrom("story_audio").selectAll().where("story_id", "=", storyId).orderBy("created_at").orderBy("id").execute();
}

export function findStory(tx: Tx, storyId: string) {
  return tx.selectFrom("stories").select(["id", "campaign_id", "user_id"]).where("id", "=", storyId).executeTakeFirst();
}

export function storyOfPrompt(tx: Tx, promptId: string) {
  return tx
    .selectFrom("stories")
    .select(["id", "campaign_id", "user_id"])
    .where("campaign_prompt_id", "=", promptId)
    .executeTakeFirst();
}

export function nextPhotoPosition(tx: Tx, storyId: string): Promise<number> {
  return tx
    .selectFrom("story_photos")
    .select((eb) => eb.fn.coalesce(eb(eb.fn.max("position"), "+", 1), eb.lit(0)).as("next"))
    .where("story_id", "=", storyId)
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.next));
}

export function countPhotos(tx: Tx, storyId: string): Promise<number> {
  return tx
    .selectFrom("story_photos")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("story_id", "=", storyId)
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
}

export function countAudio(tx: Tx, storyId: string): Promise<number> {
  return tx
    .selectFrom("story_audio")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("story_id", "=", storyId)
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
}

/** Whether a stored file is already a photo, a thumbnail or a recording. */
export async function fileAttached(tx: Tx, fileId: string): Promise<boolean> {
  const row = await tx
    .selectFrom("story_photos")
    .select("id")
    .where((eb) => eb.or([eb("file_id", "=", fileId), eb("thumbnail_file_id", "=", fileId)]))
    .unionAll(tx.selectFrom("story_audio").select("id").where("file_id", "=", fileId))
    .executeTakeFirst();
  return Boolean(row);
}

/**
 * Undefined when the file is already attached (UNIQUE file_id: to a story in a campaign the caller does
 * not see, or by a concurrent attach), without aborting the transaction.
 */
export function insertPhoto(tx: Tx, values: Omit<Insertable<Tables.StoryPhotos>, "id">) {
  return tx
    .insertInto("story_photos")
    .values(values)
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function insertAudio(tx: Tx, values: Omit<Insertable<Tables.StoryAudio>, "id">) {
  return tx
    .insertInto("story_audio")
    .values(values)
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function findPhoto(tx: Tx, photoId: string) {
  return tx.selectFrom("story_photos").selectAll().where("id", "=", photoId).executeTakeFirst();
}

export function findAudio(tx: Tx, audioId: string) {
  return tx.selectFrom("story_audio").selectAll().where("id", "=", audioId).executeTakeFirst();
}

export function updateCaption(tx: Tx, photoId: string, caption: string) {
  return tx.updateTable("story_photos").set({ caption }).where("id", "=", photoId).returningAll().executeTakeFirst();
}

export async function setPositions(tx: Tx, storyId: string, photoIds: readonly string[]) {
  for (const [position, id] of photoIds.entries()) {
    await tx.updateTable("story_photos").set({ position }).where("id", "=", id).where("story_id", "=", storyId).execute();
  }
}

export function deletePhoto(tx: Tx, photoId: string) {
  return tx.deleteFrom("story_photos").where("id", "=", photoId).returningAll().executeTakeFirst();
}

export function deleteAudio(tx: Tx, audioId: string) {
  return tx.deleteFrom("story_audio").where("id", "=", audioId).returningAll().executeTakeFirst();
}

export function updateTranscript(tx: Tx, audioId: string, transcript: string) {
  return tx
    .updateTable("story_audio")
    .set({ transcript, transcript_edited: true, transcript_status: "done" })
    .where("id", "=", audioId)
    .returningAll()
    .executeTakeFirst();
}

/** As system (the job): the recording and its file's storage key. */
export function audioForTranscription(tx: Tx, audioId: string) {
  return tx
    .selectFrom("story_audio as a")
    .innerJoin("stored_files as f", "f.id", "a.file_id")
    .innerJoin("campaigns as c", "c.id", "a.campaign_id")
    .select([
      "a.id",
      "a.transcript_status",
      "a.transcript_edited",
      "a.campaign_id",
      "c.user_id as owner_id",
      "f.id as file_id",
      "f.user_id as file_user_id",
      "f.content_type",
      "f.filename",
      "f.storage_key",
    ])
    .where("a.id", "=", audioId)
    .executeTakeFirst();
}

/** As system (the job): the transcript, unless a person edited it meanwhile. */
export function finishTranscript(
  tx: Tx,
  audioId: string,
  values: { transcript?: string; transcript_status: "done" | "failed" | "needs_model"; transcript_error?: string | null },
) {
  return (
    tx
      .updateTable("story_audio")
      .set(values)
      .where("id", "=", audioId)
      .where("transcript_edited", "=", false)
      // Never over a finished transcript: a job delivered twice at once saves (and so charges) once; the
      // row lock makes the second run's update wait for the first and then match nothing.
      .where("transcript_status", "!=", "done")
      .executeTakeFirst()
  );
}
