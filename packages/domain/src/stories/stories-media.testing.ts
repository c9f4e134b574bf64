/**
 * For tests and the cross-user sweep (apps/api/src/inventory.ts): a photo and a recording on a story,
 * written as their owner in the owner's RLS transaction, without upload or media work (their stored_files
 * rows point at keys with no bytes; nothing reads them).
 */
import { createHash, randomUUID } from "node:crypto";
import type { Tx } from "@inkwell/db";
import { files } from "../files/index.ts";
import * as repo from "./stories-media.repository.ts";

export async function insertFixtureStoryMedia(tx: Tx, userId: string, storyId: string) {
  const story = await repo.findStory(tx, storyId);
  if (!story) throw new Error("fixture: story not found");
  const file = async (purpose: "story_photo" | "story_audio", contentType: string) => {
    const id = randomUUID();
    return files.record(tx, userId, {
      id,
      purpose,
      filename: `fixture-${purpose}`,
      contentType,
      byteSize: 1,
      sha256: createHash("sha256").update(id).digest("hex"),
      storageKey: `${purpose.replace(/_/g, "-")}/${userId}/${id}`,
    });
  };
  const photoFile = await file("story_photo", "image/png");
  const audioFile = await file("story_audio", "audio/mpeg");
  const photo = await repo.insertPhoto(tx, {
    story_id: story.id,
    campaign_id: story.campaign_id,
    user_id: userId,
    file_id: photoFile.id,
    caption: "Fixture caption",
    position: 0,
    width: 1,
    height: 1,
  });
  const audio = await repo.insertAudio(tx, {
    story_id: story.id,
    campaign_id: story.campaign_id,
    user_id: userId,
    file_id: audioFile.id,
    transcript: "Fixture transcript",
    transcript_status: "done",
  });
  if (!photo || !audio) throw new Error("fixture: media not inserted");
  return { photoId: photo.id, audioId: audio.id, photoFileId: photoFile.id, audioFileId: audioFile.id };
}
