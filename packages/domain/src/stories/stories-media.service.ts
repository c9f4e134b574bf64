/**
 * A story's photos and recordings. The bytes arrive first through `POST /uploads` (files module: sniffed,
 * capped, photos re-encoded upright without metadata with a thumbnail, recordings' headers checked, all
 * in the untrusted-parse pool); attaching then ties an upload to a story. The file must be the caller's
 * (RLS on stored_files), of the right purpose, and not attached yet (UNIQUE file_id settles a race).
 *
 * Transactions stay short: a photo's size and a recording's duration come from the upload's own reading
 * (kept on the file's row); for files stored before the row kept them, reading the object (an HTTP call
 * for S3) and parsing it happen between two transactions, never inside one. Every user-side function checks the role first only to answer in
 * words; the policies of migration 0041 are what keep outsiders out.
 */
import { randomUUID } from "node:crypto";
import { asSystem, asUser, type Database, type Tx } from "@inkwell/db";
import type { AiProvider } from "../ai/index.ts";
import { files, imageDimensions as imageDimensionsOf, type Storage, thumbnailKeyOf } from "../files/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import type { Enqueue } from "../platform/queue.ts";
import type { KeyRing } from "../platform/secret-box.ts";
import { hashToken } from "../platform/tokens.ts";
import { audioDurationParser } from "../platform/untrusted/parsers.ts";
import { parseUntrusted } from "../platform/untrusted/untrusted.ts";
import { usage } from "../usage/index.ts";
import type { MemberRole } from "./stories.schemas.ts";
import { requireRole } from "./stories.service.ts";
import { transcribeAudioJob } from "./stories-media.jobs.ts";
import * as repo from "./stories-media.repository.ts";
import {
  type AnswerMediaInput,
  MAX_PHOTOS_PER_STORY,
  MAX_RECORDINGS_PER_STORY,
  NEEDS_MODEL_NOTE,
  type StoryAudio,
  type StoryMedia,
  type StoryPhoto,
  type TranscriptStatus,
} from "./stories-media.schemas.ts";
import * as prompts from "./stories-prompts.repository.ts";

export interface StoriesMediaDeps {
  db: Database;
  storage: Storage;
  keyRing: KeyRing;
  enqueue: Enqueue;
}

const WRITERS: readonly MemberRole[] = ["owner", "contributor"];
const EVERYONE: readonly MemberRole[] = ["owner", "contributor", "viewer"];
/** Signed media URLs last this long; the story page refetches well within it. */
const URL_TTL_SECONDS = 3600;

const LINK_INVALID = "This link is no longer valid. Ask your family to send the question again.";

async function storyFor(tx: Tx, userId: string, storyId: string, allowed: readonly MemberRole[], doing: string) {
  const story = await repo.findStory(tx, storyId);
  if (!story) throw notFound("Story");
  const role = await requireRole(tx, story.campaign_id, userId, allowed, doing);
  return { ...story, role };
}

const ALREADY_ATTACHED = "That upload is already attached to a story.";
const attached = () => new DomainError("CONFLICT", ALREADY_ATTACHED, { field: "fileId" });

const wrongFile = (what: string) =>
  new DomainError("INVALID_INPUT", `That upload is not a ${what} (upload it again with the right kind).`, { field: "fileId" });

/** The upload, checked: the caller's (as `tx` sees it), of `purpose`, under `keyPrefix` when given, and not attached. */
async function attachableFile(tx: Tx, fileId: string, purpose: "story_photo" | "story_audio", keyPrefix?: string) {
  const file = await files.getWithKey(tx, { id: fileId });
  if (!file) throw notFound("File");
  if (file.purpose !== purpose) throw wrongFile(purpose === "story_photo" ? "photo" : "recording");
  if (keyPrefix && !file.storageKey.startsWith(keyPrefix)) throw notFound("File");
  if (await repo.fileAttached(tx, fileId)) throw attached();
  return file;
}

/**
 * A photo's size: what the upload read when it re-encoded the photo (on the file's row), else (a file
 * stored before the row kept it) from the object's header.
 */
async function photoFacts(
  deps: Pick<StoriesMediaDeps, "storage">,
  file: { storageKey: string; width: number | null; height: number | null },
) {
  if (file.width && file.height) return { width: file.width, height: file.height };
  const bytes = await files.readObject(deps, file.storageKey);
  if (!bytes) throw notFound("File");
  // Our own re-encoded output (the upload made it), so reading its header here is safe and cheap.
  const dims = await imageDimensionsOf(bytes);
  if (!dims) throw new DomainError("INVALID_INPUT", "That photo could not be read; upload it again.", { field: "fileId" });
  return dims;
}

/** A recording's duration: the upload's parse (on the file's row), else the object parsed again in the pool. */
async function audioFacts(
  deps: Pick<StoriesMediaDeps, "storage">,
  file: { storageKey: string; contentType: string; durationMs: number | null },
) {
  if (file.durationMs !== null) return { durationMs: file.durationMs };
  const bytes = await files.readObject(deps, file.storageKey);
  if (!bytes) throw notFound("File");
  const { durationMs } = await parseUntrusted(audioDurationParser, { bytes, mimeType: file.contentType }, { field: "fileId" });
  return { durationMs };
}

// Reading

function noteFor(status: TranscriptStatus, error: string | null): string | null {
  if (status === "needs_model") return NEEDS_MODEL_NOTE;
  if (status === "failed") return error ?? "The transcription failed; type the words in yourself or try again later.";
  if (status === "pending") return "Transcribing… this takes a minute or two.";
  return null;
}

export async function list(
  deps: Pick<StoriesMediaDeps, "keyRing">,
  tx: Tx,
  userId: string,
  storyId: string,
): Promise<StoryMedia> {
  const story = await storyFor(tx, userId, storyId, EVERYONE, "see this story");
  const canAdd = WRITERS.includes(story.role);
  const canRemoveRow = (rowUser: string | null) => story.role === "owner" || (canAdd && rowUser === userId);
  const [photos, audio] = await Promise.all([repo.photosOfStories(tx, [storyId]), repo.audioOfStory(tx, storyId)]);
  const sign = (fileId: string) => files.signedUrl(deps, { id: fileId }, URL_TTL_SECONDS);
  return {
    canAdd,
    photos: photos.map(
      (p): StoryPhoto => ({
        id: p.id,
        fileId: p.file_id,
        url: sign(p.file_id),
        thumbnailUrl: sign(p.thumbnail_file_id ?? p.file_id),
        caption: p.caption,
        position: p.position,
        width: p.width,
        height: p.height,
        byStoryteller: p.user_id === null,
        // Captions and order: any writer (as stories' text); removal: the owner or the one who added it.
        canEdit: canAdd,
        canRemove: canRemoveRow(p.user_id),
      }),
    ),
    audio: audio.map(
      (a): StoryAudio => ({
        id: a.id,
        url: sign(a.file_id),
        durationMs: a.duration_ms,
        transcript: a.transcript,
        transcriptStatus: a.transcript_status as TranscriptStatus,
        transcriptEdited: a.transcript_edited,
        transcriptNote: noteFor(a.transcript_status as TranscriptStatus, a.transcript_error),
        byStoryteller: a.user_id === null,
        canEdit: canAdd,
        canRemove: canRemoveRow(a.user_id),
      }),
    ),
  };
}

// Attaching (a member)

export async function attachPhoto(
  deps: Pick<StoriesMediaDeps, "db" | "storage">,
  userId: string,
  input: { storyId: string; fileId: string; caption: string },
): Promise<{ photoId: string }> {
  const file = await asUser(deps.db, userId, async (tx) => {
    await storyFor(tx, userId, input.storyId, WRITERS, "add photos");
    return attachableFile(tx, input.fileId, "story_photo");
  });
  const dims = await photoFacts(deps, file);
  return asUser(deps.db, userId, async (tx) => {
    const story = await storyFor(tx, userId, input.storyId, WRITERS, "add photos");
    await attachableFile(tx, input.fileId, "story_photo");
    if ((await repo.countPhotos(tx, story.id)) >= MAX_PHOTOS_PER_STORY)
      throw new DomainError("PRECONDITION_FAILED", `A story holds at most ${MAX_PHOTOS_PER_STORY} photos.`);
    const thumb = await files.getWithKey(tx, { storageKey: thumbnailKeyOf(file.storageKey) });
    const row = await repo.insertPhoto(tx, {
      story_id: story.id,
      campaign_id: story.campaign_id,
      user_id: userId,
      file_id: file.id,
      thumbnail_file_id: thumb?.id ?? null,
      caption: input.caption,
      position: await repo.nextPhotoPosition(tx, story.id),
      width: dims.width,
      height: dims.height,
    });
    if (!row) throw attached();
    return { photoId: row.id };
  });
}

export async function attachAudio(
  deps: Pick<StoriesMediaDeps, "db" | "storage" | "enqueue">,
  userId: string,
  input: { storyId: string; fileId: string },
): Promise<{ audioId: string }> {
  const file = await asUser(deps.db, userId, async (tx) => {
    await storyFor(tx, userId, input.storyId, WRITERS, "add recordings");
    return attachableFile(tx, input.fileId, "story_audio");
  });
  const facts = await audioFacts(deps, file);
  return asUser(deps.db, userId, async (tx) => {
    const story = await storyFor(tx, userId, input.storyId, WRITERS, "add recordings");
    await attachableFile(tx, input.fileId, "story_audio");
    if ((await repo.countAudio(tx, story.id)) >= MAX_RECORDINGS_PER_STORY)
      throw new DomainError("PRECONDITION_FAILED", `A story holds at most ${MAX_RECORDINGS_PER_STORY} recordings.`);
    const row = await repo.insertAudio(tx, {
      story_id: story.id,
      campaign_id: story.campaign_id,
      user_id: userId,
      file_id: file.id,
      duration_ms: facts.durationMs,
    });
    if (!row) throw attached();
    await deps.enqueue(tx, transcribeAudioJob, { audioId: row.id });
    return { audioId: row.id };
  });
}

// Editing

export async function setCaption(tx: Tx, userId: string, input: { photoId: string; caption: string }) {
  const photo = await repo.findPhoto(tx, input.photoId);
  if (!photo) throw notFound("Photo");
  await requireRole(tx, photo.campaign_id, userId, WRITERS, "caption photos");
  await repo.updateCaption(tx, photo.id, input.caption);
}

/** The story's photos in the given order; the list must be exactly its photos. */
export async function reorderPhotos(tx: Tx, userId: string, input: { storyId: string; photoIds: string[] }) {
  const story = await storyFor(tx, userId, input.storyId, WRITERS, "reorder photos");
  const current = await repo.photosOfStories(tx, [story.id]);
  const ids = new Set(input.photoIds);
  if (ids.size !== input.photoIds.length || current.length !== ids.size || current.some((p) => !ids.has(p.id)))
    throw new DomainError("INVALID_INPUT", "The order must list each of the story's photos once.", { field: "photoIds" });
  await repo.setPositions(tx, story.id, input.photoIds);
}

export async function editTranscript(tx: Tx, userId: string, input: { audioId: string; transcript: string }) {
  const audio = await repo.findAudio(tx, input.audioId);
  if (!audio) throw notFound("Recording");
  await requireRole(tx, audio.campaign_id, userId, WRITERS, "edit transcripts");
  await repo.updateTranscript(tx, audio.id, input.transcript);
}

/**
 * Removes a photo (an owner any, a contributor their own); its files go too. The caller's own files are
 * deleted in their transaction; another uploader's (or the storyteller's) as system after it commits.
 */
export async function removePhoto(deps: Pick<StoriesMediaDeps, "db" | "storage">, userId: string, photoId: string) {
  const fileIds = await asUser(deps.db, userId, async (tx) => {
    const photo = await repo.findPhoto(tx, photoId);
    if (!photo) throw notFound("Photo");
    const role = await requireRole(tx, photo.campaign_id, userId, WRITERS, "remove photos");
    if (role !== "owner" && photo.user_id !== userId)
      throw new DomainError("FORBIDDEN", "Contributors can remove only the photos they added; ask an owner.");
    if (!(await repo.deletePhoto(tx, photo.id))) throw notFound("Photo");
    return [photo.file_id, ...(photo.thumbnail_file_id ? [photo.thumbnail_file_id] : [])];
  });
  await dropFiles(deps, fileIds);
}

export async function removeAudio(deps: Pick<StoriesMediaDeps, "db" | "storage">, userId: string, audioId: string) {
  const fileIds = await asUser(deps.db, userId, async (tx) => {
    const audio = await repo.findAudio(tx, audioId);
    if (!audio) throw notFound("Recording");
    const role = await requireRole(tx, audio.campaign_id, userId, WRITERS, "remove recordings");
    if (role !== "owner" && audio.user_id !== userId)
      throw new DomainError("FORBIDDEN", "Contributors can remove only the recordings they added; ask an owner.");
    if (!(await repo.deleteAudio(tx, audio.id))) throw notFound("Recording");
    return [audio.file_id];
  });
  await dropFiles(deps, fileIds);
}

/** After the removal committed: the files no photo or recording points at any more, rows then bytes. */
async function dropFiles(deps: Pick<StoriesMediaDeps, "db" | "storage">, fileIds: string[]) {
  const keys = await asSystem(deps.db, async (tx) => {
    const loose: string[] = [];
    for (const id of fileIds) if (!(await repo.fileAttached(tx, id))) loose.push(id);
    return files.removeAsSystem(tx, loose);
  });
  for (const key of keys) await files.deleteObject(deps, key).catch(() => undefined);
}

// The storyteller (answer link, no account)

async function liveLink(tx: Tx, input: { campaignId: string; promptId: string; token: string }) {
  const link = await prompts.findLiveLink(tx, { ...input, tokenHash: hashToken(input.token) });
  if (!link || link.status === "skipped") throw new DomainError("TOKEN_INVALID", LINK_INVALID);
  return link;
}

/**
 * Who owns what the storyteller uploads through this link (the campaign's primary owner) and the key
 * segment that marks it as this question's (`prompt-<id>`): the upload route's authority for a link.
 */
export async function answerUploader(
  db: Database,
  input: { campaignId: string; promptId: string; token: string },
): Promise<{ ownerId: string; keySegment: string }> {
  const link = await asSystem(db, (tx) => liveLink(tx, input));
  return { ownerId: link.owner_id, keySegment: `prompt-${link.prompt_id}` };
}

/**
 * Attaches what the storyteller uploaded through this link to the story their answer made (the answer
 * comes first). Only files uploaded through a link for this very question qualify (their key says so).
 */
export async function attachAnswerMedia(
  deps: Pick<StoriesMediaDeps, "db" | "storage" | "enqueue">,
  input: AnswerMediaInput,
): Promise<{ photos: number; recordings: number }> {
  const checked = await asSystem(deps.db, async (tx) => {
    const link = await liveLink(tx, input);
    const story = await repo.storyOfPrompt(tx, link.prompt_id);
    if (!story) throw new DomainError("PRECONDITION_FAILED", "Send your answer first; then the photos and recordings join it.");
    const prefix = (purpose: string) => `${purpose}/${link.owner_id}/prompt-${link.prompt_id}/`;
    const photos = [];
    for (const p of input.photos)
      photos.push({ ...p, file: await attachableFile(tx, p.fileId, "story_photo", prefix("story-photo")) });
    const audio = [];
    for (const id of input.audioFileIds) audio.push(await attachableFile(tx, id, "story_audio", prefix("story-audio")));
    return { story, photos, audio };
  });
  const photoFactsList: { width: number; height: number }[] = [];
  for (const p of checked.photos) photoFactsList.push(await photoFacts(deps, p.file));
  const audioFactsList: { durationMs: number | null }[] = [];
  for (const a of checked.audio) audioFactsList.push(await audioFacts(deps, a));
  return asSystem(deps.db, async (tx) => {
    await liveLink(tx, input);
    const { story } = checked;
    if ((await repo.countPhotos(tx, story.id)) + checked.photos.length > MAX_PHOTOS_PER_STORY)
      throw new DomainError("PRECONDITION_FAILED", `A story holds at most ${MAX_PHOTOS_PER_STORY} photos.`);
    if ((await repo.countAudio(tx, story.id)) + checked.audio.length > MAX_RECORDINGS_PER_STORY)
      throw new DomainError("PRECONDITION_FAILED", `A story holds at most ${MAX_RECORDINGS_PER_STORY} recordings.`);
    let position = await repo.nextPhotoPosition(tx, story.id);
    for (const [i, p] of checked.photos.entries()) {
      const thumb = await files.getWithKey(tx, { storageKey: thumbnailKeyOf(p.file.storageKey) });
      const dims = photoFactsList[i] ?? { width: 1, height: 1 };
      const inserted = await repo.insertPhoto(tx, {
        story_id: story.id,
        campaign_id: story.campaign_id,
        user_id: null,
        file_id: p.file.id,
        thumbnail_file_id: thumb?.id ?? null,
        caption: p.caption,
        position: position++,
        width: dims.width,
        height: dims.height,
      });
      if (!inserted) throw attached();
    }
    for (const [i, a] of checked.audio.entries()) {
      const row = await repo.insertAudio(tx, {
        story_id: story.id,
        campaign_id: story.campaign_id,
        user_id: null,
        file_id: a.id,
        duration_ms: audioFactsList[i]?.durationMs ?? null,
      });
      if (!row) throw attached();
      await deps.enqueue(tx, transcribeAudioJob, { audioId: row.id });
    }
    return { photos: checked.photos.length, recordings: checked.audio.length };
  });
}

// Transcription (the worker)

/** The transcription API's upload limit (OpenAI's is 25 MB). */
export const MAX_TRANSCRIBE_BYTES = 25 * 1024 * 1024;

class EditedMeanwhile extends Error {}

/**
 * The job's work: the recording's transcript through `ai.transcribe`, metered as `audio.transcribe` and
 * paid by the file's owner (who added it; the primary owner for the storyteller's). The offline provider
 * makes no transcript: the row says needs_model and nothing is charged. A transcript a person edited is
 * never overwritten. Out of credits, or too large, is final (failed, with the reason); other failures
 * are thrown for the queue to retry.
 */
export async function transcribeAudio(
  deps: { db: Database; ai: AiProvider; storage: Storage },
  audioId: string,
): Promise<"done" | "needs_model" | "failed" | "skipped"> {
  const row = await asSystem(deps.db, (tx) => repo.audioForTranscription(tx, audioId));
  if (!row || row.transcript_edited || row.transcript_status === "done") return "skipped";
  const finish = (values: Parameters<typeof repo.finishTranscript>[2]) =>
    asSystem(deps.db, (tx) => repo.finishTranscript(tx, audioId, values));
  if (deps.ai.offline) {
    await finish({ transcript_status: "needs_model", transcript_error: null });
    return "needs_model";
  }
  const bytes = await files.readObject(deps, row.storage_key);
  if (!bytes) return "skipped";
  if (bytes.byteLength > MAX_TRANSCRIBE_BYTES) {
    await finish({
      transcript_status: "failed",
      transcript_error: "This recording is too long to transcribe in one piece (over 25 MB); type the words in yourself.",
    });
    return "failed";
  }
  try {
    await usage.runMetered(
      { db: deps.db, ai: deps.ai },
      { userId: row.file_user_id, ip: "worker" },
      {
        operation: "audio.transcribe",
        // One hold per run: a failed run released its hold, so a retry holds afresh. Random, not the
        // clock: two deliveries in the same millisecond shared a key, and the second failed as a replay.
        idempotencyKey: `audio.transcribe:${audioId}:${randomUUID()}`,
        request: { audioId },
        topic: row.filename,
        provider: deps.ai.name,
      },
      async () => {
        const r = await deps.ai.transcribe({ audio: bytes, mimeType: row.content_type, filename: row.filename });
        return { result: r.text, model: r.model, inputTokens: 0, outputTokens: 0, latencyMs: r.latencyMs };
      },
      // Saved with the charge: an edit made meanwhile (or another run's transcript) wins, and the discarded
      // transcript is not charged.
      async (tx, { result }) => {
        const saved = await repo.finishTranscript(tx, audioId, {
          transcript: result.slice(0, 100_000),
          transcript_status: "done",
        });
        if (!saved.numUpdatedRows) throw new EditedMeanwhile();
      },
    );
    return "done";
  } catch (error) {
    if (error instanceof EditedMeanwhile) return "skipped";
    if (error instanceof DomainError && (error.code === "INSUFFICIENT_CREDITS" || error.code === "FORBIDDEN")) {
      await finish({
        transcript_status: "failed",
        transcript_error:
          error.code === "INSUFFICIENT_CREDITS"
            ? "Not transcribed: not enough credits (transcribing costs credits). Type the words in yourself, or add credits."
            : "Not transcribed.",
      });
      return "failed";
    }
    throw error;
  }
}
