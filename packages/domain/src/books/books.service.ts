/**
 * Books (issue 13 item 5, seed 001 `books`): owners of a campaign pick and order its stories and photos,
 * a template and a cover; the worker renders the interior and cover PDFs and page previews; an owner
 * approves the proof (the render of the current design) and the book is ready to order. Status:
 * draft → ready_to_order (approved) → ordered → completed (the orders module moves the last two).
 *
 * The policies (migration 0044) decide who sees and changes what; the role checks here come first only to
 * say why (a viewer designing is FORBIDDEN, an outsider NOT_FOUND). Stories and photos come through the
 * stories module (`storiesForBook`, in the caller's RLS transaction); a photo's bytes are read in the
 * render job with a link signed by the server for that file, since a contributor's photo is their file.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asSystem, asUser, type Database, type Tx } from "@inkwell/db";
import { files, type PreparedFile, type Storage, signFile } from "../files/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import type { Enqueue, KeyRing } from "../platform/index.ts";
import { type BookStory, stories, storiesForBook } from "../stories/index.ts";
import { renderBookJob } from "./books.jobs.ts";
import type { RenderPhoto, RenderStory } from "./books.render.ts";
import { DEFAULT_RENDER_LIMITS, type RenderLimits, renderInChild } from "./books.render-process.ts";
import * as repo from "./books.repository.ts";
import {
  BOOK_LIMITS,
  type BookDetail,
  type BookForOrder,
  type BookSourceStory,
  type BookStatus,
  type BookSummary,
  type BookTemplate,
  type CreateBookInput,
  PREVIEW_PAGES,
  type RenderStatus,
  type UpdateBookInput,
} from "./books.schemas.ts";

export interface BooksDeps {
  keyRing: KeyRing;
  enqueue: Enqueue;
  storage: Storage;
}

export interface RenderDeps {
  db: Database;
  storage: Storage;
  keyRing: KeyRing;
  limits?: RenderLimits;
}

const URL_TTL_SECONDS = 3600;
const OWNERS = ["owner"] as const;
const EVERYONE = ["owner", "contributor", "viewer"] as const;
/** A render asked for again within this long, for the same design, is the same render. */
const RENDER_DEBOUNCE_MS = 5 * 60_000;

export const BOOK_FILE_PURPOSES = {
  interior: { purpose: "book_interior", allowed: ["pdf"], maxBytes: 500 * 1024 * 1024 },
  cover: { purpose: "book_cover", allowed: ["pdf"], maxBytes: 50 * 1024 * 1024 },
  preview: { purpose: "book_preview", allowed: ["image"], maxBytes: 5 * 1024 * 1024 },
} as const;

function toSummary(row: repo.BookRow): BookSummary {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    title: row.title,
    subtitle: row.subtitle,
    template: row.template as BookTemplate,
    status: row.status as BookStatus,
    renderStatus: row.render_status as RenderStatus,
    pageCount: row.page_count,
    storyCount: row.story_count,
    photoCount: row.photo_count,
    updatedAt: row.updated_at,
  };
}

const sign = (deps: Pick<BooksDeps, "keyRing">, id: string | null) =>
  id ? files.signedUrl(deps, { id }, URL_TTL_SECONDS) : null;

function toDetail(deps: Pick<BooksDeps, "keyRing">, row: repo.BookRow, canDesign: boolean): BookDetail {
  const proofCurrent = row.render_status === "done" && row.rendered_version === row.design_version;
  return {
    ...toSummary(row),
    storyIds: row.story_ids,
    photoFileIds: row.photo_file_ids,
    coverPhotoFileId: row.cover_photo_file_id,
    renderError: row.render_error,
    renderedAt: row.rendered_at,
    proofCurrent,
    approvedAt: row.approved_at,
    interiorUrl: sign(deps, row.interior_file_id),
    coverUrl: sign(deps, row.cover_file_id),
    previewUrls: row.preview_file_ids.map((id) => files.signedUrl(deps, { id }, URL_TTL_SECONDS)),
    canDesign,
  };
}

/** The book (RLS: a member of its campaign sees it) and the caller's role there. */
async function loadBook(tx: Tx, userId: string, bookId: string) {
  const row = await repo.findBook(tx, bookId);
  if (!row) throw notFound("Book");
  const role = await stories.requireRole(tx, row.campaign_id, userId, EVERYONE, "read books").catch(() => null);
  if (!role) throw notFound("Book");
  return { row, role };
}

async function loadForDesign(tx: Tx, userId: string, bookId: string) {
  const { row: seen } = await loadBook(tx, userId, bookId);
  await stories.requireRole(tx, seen.campaign_id, userId, OWNERS, "design books");
  // Locked only now: FOR UPDATE applies the update policy, which hides the row from a non-owner.
  const row = await repo.findBook(tx, bookId, { lock: true });
  if (!row) throw notFound("Book");
  if (row.status === "ordered" || row.status === "completed")
    throw new DomainError("PRECONDITION_FAILED", "This book has been ordered; its design can no longer change.");
  return row;
}

export async function listBooks(tx: Tx, userId: string, campaignId: string): Promise<BookSummary[]> {
  await stories.requireRole(tx, campaignId, userId, EVERYONE, "read books");
  return (await repo.listBooks(tx, campaignId)).map(toSummary);
}

export async function getBook(deps: Pick<BooksDeps, "keyRing">, tx: Tx, userId: string, bookId: string): Promise<BookDetail> {
  const { row, role } = await loadBook(tx, userId, bookId);
  return toDetail(deps, row, role === "owner");
}

/** The campaign's stories with their photos, for the designer to choose from. */
export async function sources(
  deps: Pick<BooksDeps, "keyRing">,
  tx: Tx,
  userId: string,
  campaignId: string,
): Promise<BookSourceStory[]> {
  const summaries = await stories.listStories(tx, userId, { campaignId, query: undefined });
  const full = await storiesForBook(
    tx,
    campaignId,
    summaries.map((s) => s.id),
  );
  const photos = new Map(full.map((s) => [s.id, s.photos]));
  return summaries.map((s) => ({
    id: s.id,
    title: s.title,
    category: s.category,
    status: s.status,
    wordCount: s.wordCount,
    photos: (photos.get(s.id) ?? []).map((p) => ({
      ...p,
      url: files.signedUrl(deps, { id: p.fileId }, URL_TTL_SECONDS),
    })),
  }));
}

export async function createBook(
  deps: Pick<BooksDeps, "keyRing">,
  tx: Tx,
  userId: string,
  input: CreateBookInput,
): Promise<BookDetail> {
  await stories.requireRole(tx, input.campaignId, userId, OWNERS, "design books");
  // A new book starts with the campaign's finished stories in their order; the owner edits from there.
  const finished = (await stories.listStories(tx, userId, { campaignId: input.campaignId, query: undefined }))
    .filter((s) => s.status !== "draft")
    .slice(0, BOOK_LIMITS.stories);
  // The counts the book list shows from the start; past the photo limit, the first photos are chosen
  // (null would mean all of them, more than a book holds, and the render would take them all).
  const found = await storiesForBook(
    tx,
    input.campaignId,
    finished.map((s) => s.id),
  );
  const photos = found.flatMap((s) => s.photos.map((p) => p.fileId));
  const row = await repo.insertBook(tx, {
    campaign_id: input.campaignId,
    user_id: userId,
    title: input.title,
    subtitle: input.subtitle || null,
    template: input.template ?? "classic",
    story_ids: found.map((s) => s.id),
    photo_file_ids: photos.length > BOOK_LIMITS.photos ? photos.slice(0, BOOK_LIMITS.photos) : null,
    story_count: found.length,
    photo_count: Math.min(photos.length, BOOK_LIMITS.photos),
  });
  return toDetail(deps, row, true);
}

/** The photos a design puts in the book: the chosen ones in their order within each story, or all. */
export function chosenPhotos(storyList: BookStory[], photoFileIds: readonly string[] | null): BookStory[] {
  if (photoFileIds === null) return storyList;
  const rank = new Map(photoFileIds.map((id, i) => [id, i]));
  return storyList.map((s) => ({
    ...s,
    photos: s.photos.filter((p) => rank.has(p.fileId)).sort((a, b) => (rank.get(a.fileId) ?? 0) - (rank.get(b.fileId) ?? 0)),
  }));
}

const invalid = (field: string, message: string) => new DomainError("INVALID_INPUT", message, { field });

export async function updateBook(
  deps: Pick<BooksDeps, "keyRing">,
  tx: Tx,
  userId: string,
  input: UpdateBookInput,
): Promise<BookDetail> {
  const row = await loadForDesign(tx, userId, input.bookId);
  const askedStories = input.storyIds ?? row.story_ids;
  const askedPhotos = input.photoFileIds === undefined ? row.photo_file_ids : input.photoFileIds;
  const askedCover = input.coverPhotoFileId === undefined ? row.cover_photo_file_id : input.coverPhotoFileId;

  // A story or photo the book already had that has since been deleted (or a photo of a story taken out
  // of the book) is dropped, not refused: the designer sends the saved ids back and cannot show a deleted
  // story to untick, so refusing would leave the book impossible to change. New ids must be found.
  const found = await storiesForBook(tx, row.campaign_id, askedStories);
  const foundIds = new Set(found.map((s) => s.id));
  const hadStories = new Set(row.story_ids);
  if (askedStories.some((id) => !foundIds.has(id) && !hadStories.has(id)))
    throw invalid("storyIds", "A chosen story is not in this campaign (or was deleted).");
  const storyIds = askedStories.filter((id) => foundIds.has(id));
  const all = new Set(found.flatMap((s) => s.photos.map((p) => p.fileId)));
  const hadPhotos = new Set([...(row.photo_file_ids ?? []), ...(row.cover_photo_file_id ? [row.cover_photo_file_id] : [])]);
  if (askedPhotos?.some((id) => !all.has(id) && !hadPhotos.has(id)))
    throw invalid("photoFileIds", "A chosen photo is not in the chosen stories.");
  const photoFileIds = askedPhotos ? askedPhotos.filter((id) => all.has(id)) : null;
  if (askedCover && !all.has(askedCover) && askedCover !== row.cover_photo_file_id)
    throw invalid("coverPhotoFileId", "The cover photo must be a photo of one of the book's stories.");
  const coverPhotoFileId = askedCover && all.has(askedCover) ? askedCover : null;
  const photoCount = chosenPhotos(found, photoFileIds).reduce((n, s) => n + s.photos.length, 0);
  if (photoCount > BOOK_LIMITS.photos)
    throw invalid(
      "photoFileIds",
      `These stories have ${photoCount} photos; a book holds at most ${BOOK_LIMITS.photos}. Leave some out.`,
    );

  const updated = await repo.changeDesign(tx, row.id, {
    ...(input.title !== undefined ? { title: input.title } : {}),
    ...(input.subtitle !== undefined ? { subtitle: input.subtitle || null } : {}),
    ...(input.template !== undefined ? { template: input.template } : {}),
    story_ids: storyIds,
    photo_file_ids: photoFileIds,
    cover_photo_file_id: coverPhotoFileId,
    story_count: storyIds.length,
    photo_count: photoCount,
  });
  if (!updated) throw new DomainError("PRECONDITION_FAILED", "This book has been ordered; its design can no longer change.");
  return toDetail(deps, updated, true);
}

/** Asks the worker to render the current design (again, after a failure). */
export async function requestRender(
  deps: Pick<BooksDeps, "keyRing" | "enqueue">,
  tx: Tx,
  userId: string,
  bookId: string,
): Promise<BookDetail> {
  const row = await loadForDesign(tx, userId, bookId);
  if (!row.story_ids.length) throw invalid("storyIds", "Choose at least one story for the book first.");
  // Photos added to the stories since the design was saved count too when the design takes them all.
  const found = await storiesForBook(tx, row.campaign_id, row.story_ids);
  const photoCount = chosenPhotos(found, row.photo_file_ids).reduce((n, s) => n + s.photos.length, 0);
  if (photoCount > BOOK_LIMITS.photos)
    throw invalid(
      "photoFileIds",
      `These stories now have ${photoCount} photos; a book holds at most ${BOOK_LIMITS.photos}. Leave some out.`,
    );
  const pending =
    row.render_status === "rendering" &&
    row.rendered_version !== row.design_version &&
    row.render_requested_at &&
    Date.now() - row.render_requested_at.getTime() < RENDER_DEBOUNCE_MS;
  if (pending) return toDetail(deps, row, true);
  // A new render replaces the files an approval was given for (a story's text may have changed since):
  // an approved book goes back to draft, to be approved again on the new proof.
  const updated = await repo.updateBook(tx, row.id, {
    render_status: "rendering",
    render_error: null,
    render_requested_at: new Date(),
    ...(row.status === "ready_to_order" ? { status: "draft", approved_at: null, approved_version: null } : {}),
  });
  await deps.enqueue(tx, renderBookJob, { userId, bookId: row.id, version: row.design_version });
  return toDetail(deps, updated ?? row, true);
}

/** The owner approves the proof: the render of the current design. The book is then ready to order. */
export async function approveProof(
  deps: Pick<BooksDeps, "keyRing">,
  tx: Tx,
  userId: string,
  bookId: string,
): Promise<BookDetail> {
  const row = await loadForDesign(tx, userId, bookId);
  if (row.status === "ready_to_order") return toDetail(deps, row, true);
  if (row.render_status !== "done" || row.rendered_version !== row.design_version)
    throw new DomainError("PRECONDITION_FAILED", "Render the book and look through the proof before approving it.");
  const updated = await repo.updateBook(tx, row.id, {
    status: "ready_to_order",
    approved_at: new Date(),
    approved_version: row.design_version,
  });
  return toDetail(deps, updated ?? row, true);
}

/**
 * Deletes a book that has not been ordered, with the rendered files the caller keeps for it: the rows in
 * one transaction, the stored bytes after it commits (a rollback must not lose the bytes of a kept row).
 */
export async function deleteBook(deps: { db: Database; storage: Storage }, userId: string, bookId: string): Promise<void> {
  const { keys, others } = await asUser(deps.db, userId, async (tx) => {
    const row = await loadForDesign(tx, userId, bookId);
    await repo.deleteBook(tx, row.id);
    return removeOwnFiles(tx, [row.interior_file_id, row.cover_file_id, ...row.preview_file_ids]);
  });
  await removeOthersFiles(deps, others);
  await Promise.all(keys.map((key) => files.deleteObject(deps, key).catch(() => undefined)));
}

/**
 * Removes the caller's own file rows among `ids`; keys to delete after commit. The rest (a co-owner's
 * render: their files, which no policy lets the caller delete) come back as `others`.
 */
async function removeOwnFiles(tx: Tx, ids: (string | null)[]): Promise<{ keys: string[]; others: string[] }> {
  const keys: string[] = [];
  const others: string[] = [];
  for (const id of ids) {
    if (!id) continue;
    const removed = await files.remove(tx, id).catch(() => null);
    if (removed) keys.push(removed.storageKey);
    else others.push(id);
  }
  return { keys, others };
}

/**
 * A co-owner's rendered files of a book that was deleted or rendered again: nothing points at them any
 * more, and only their owner could have deleted them, so they would stay for good. Removed as the system
 * once the book's own transaction has committed (never both open at once); these ids come from the book
 * row the caller was allowed to change and a render's files belong to that one book only.
 */
async function removeOthersFiles(deps: { db: Database; storage: Storage }, ids: string[]): Promise<void> {
  if (!ids.length) return;
  const keys = await asSystem(deps.db, (tx) => files.removeAsSystem(tx, ids)).catch(() => [] as string[]);
  await Promise.all(keys.map((key) => files.deleteObject(deps, key).catch(() => undefined)));
}

// The orders module's side (PLAN-session-12 "Books"): in the caller's transaction, user or system.

export async function bookForOrder(tx: Tx, bookId: string): Promise<BookForOrder> {
  const row = await repo.findBook(tx, bookId);
  if (!row) throw notFound("Book");
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status as BookStatus,
    pageCount: row.page_count,
    interiorFileId: row.interior_file_id,
    coverFileId: row.cover_file_id,
  };
}

export async function markBookOrdered(tx: Tx, bookId: string): Promise<void> {
  const row = await repo.findBook(tx, bookId, { lock: true });
  if (!row) throw notFound("Book");
  if (row.status === "ordered" || row.status === "completed") return;
  if (!(await repo.moveStatus(tx, bookId, "ready_to_order", "ordered")))
    throw new DomainError("PRECONDITION_FAILED", "Only an approved book can be ordered.");
}

export async function markBookCompleted(tx: Tx, bookId: string): Promise<void> {
  const row = await repo.findBook(tx, bookId, { lock: true });
  if (!row) throw notFound("Book");
  if (row.status === "completed") return;
  if (!(await repo.moveStatus(tx, bookId, "ordered", "completed")))
    throw new DomainError("PRECONDITION_FAILED", "Only an ordered book can be completed.");
}

// The render job.

export type RenderResult = "rendered" | "stale" | "failed";

/**
 * Renders the design `version` of a book as `userId` (the owner who asked): reads the book and its stories
 * in a short RLS transaction, copies the photos from storage to private temporary files (one at a time,
 * with no transaction open), renders in a bounded child process, then stores the PDFs and previews as the
 * owner's files and points the book at them, only if the design is still the one rendered.
 */
export async function renderBook(
  deps: RenderDeps,
  data: { userId: string; bookId: string; version: number },
): Promise<RenderResult> {
  const plan = await asUser(deps.db, data.userId, async (tx) => {
    const row = await repo.findBook(tx, data.bookId);
    if (!row || row.design_version !== data.version || row.render_status !== "rendering") return null;
    const role = await stories.requireRole(tx, row.campaign_id, data.userId, OWNERS, "render books").catch(() => null);
    if (!role) return null;
    const found = await storiesForBook(tx, row.campaign_id, row.story_ids);
    const cover = found.flatMap((s) => s.photos).find((p) => p.fileId === row.cover_photo_file_id) ?? null;
    return { row, stories: chosenPhotos(found, row.photo_file_ids), cover };
  });
  if (!plan) return "stale";

  const fail = (reason: string) =>
    asUser(deps.db, data.userId, (tx) =>
      repo.saveRender(tx, data.bookId, data.version, { render_status: "failed", render_error: reason.slice(0, 300) }),
    );

  const dir = await mkdtemp(join(tmpdir(), "inkwell-book-"));
  try {
    let n = 0;
    const copy = async (photo: {
      fileId: string;
      caption: string;
      width: number;
      height: number;
    }): Promise<RenderPhoto | null> => {
      const exp = Math.floor(Date.now() / 1000) + 600;
      const read = await files.openSigned(
        { db: deps.db, storage: deps.storage, keyRing: deps.keyRing },
        { id: photo.fileId, exp: String(exp), sig: signFile(deps.keyRing, photo.fileId, exp) },
      );
      if (read.status !== "ok") return null;
      const path = join(dir, `photo-${n++}`);
      await writeFile(path, read.bytes, { mode: 0o600 });
      return { path, caption: photo.caption, width: photo.width, height: photo.height };
    };
    const renderStories: RenderStory[] = [];
    for (const story of plan.stories) {
      const photos: RenderPhoto[] = [];
      for (const photo of story.photos) {
        const copied = await copy(photo);
        if (copied) photos.push(copied);
      }
      renderStories.push({ title: story.title, category: story.category, content: story.content, photos });
    }
    const coverPhoto = plan.cover ? await copy(plan.cover) : null;

    const outcome = await renderInChild(
      {
        title: plan.row.title,
        subtitle: plan.row.subtitle,
        template: plan.row.template as BookTemplate,
        coverPhoto,
        stories: renderStories,
        outDir: dir,
        maxPages: BOOK_LIMITS.pages,
        previewPages: PREVIEW_PAGES,
      },
      deps.limits ?? DEFAULT_RENDER_LIMITS,
    );
    if (!outcome.ok) {
      await fail(outcome.reason);
      return "failed";
    }
    const out = outcome.output;

    const prepared: PreparedFile[] = [];
    const prepare = async (path: string, kind: keyof typeof BOOK_FILE_PURPOSES, filename: string) => {
      const rule = BOOK_FILE_PURPOSES[kind];
      const file = await files.prepare(deps, data.userId, {
        purpose: rule.purpose,
        filename,
        bytes: new Uint8Array(await readFile(path)),
        allowed: rule.allowed,
        maxBytes: rule.maxBytes,
      });
      prepared.push(file);
      return file;
    };
    let staleKeys: string[] = [];
    let staleOthers: string[] = [];
    try {
      const interior = await prepare(out.interiorPath, "interior", "interior.pdf");
      const cover = await prepare(out.coverPath, "cover", "cover.pdf");
      const previews: PreparedFile[] = [];
      for (const [i, path] of out.previewPaths.entries()) previews.push(await prepare(path, "preview", `page-${i}.png`));
      const saved = await asUser(deps.db, data.userId, async (tx) => {
        for (const file of prepared) await files.record(tx, data.userId, file);
        const before = await repo.findBook(tx, data.bookId, { lock: true });
        const updated = await repo.saveRender(tx, data.bookId, data.version, {
          render_status: "done",
          render_error: null,
          rendered_at: new Date(),
          rendered_version: data.version,
          interior_file_id: interior.id,
          cover_file_id: cover.id,
          preview_file_ids: previews.map((p) => p.id),
          page_count: out.pageCount,
          story_count: out.storyCount,
          photo_count: out.photoCount,
        });
        // Nothing saved: roll the new file rows back with the transaction.
        if (!updated || !before) throw new StaleRender();
        ({ keys: staleKeys, others: staleOthers } = await removeOwnFiles(tx, [
          before.interior_file_id,
          before.cover_file_id,
          ...before.preview_file_ids,
        ]));
        return updated;
      });
      void saved;
    } catch (error) {
      await Promise.all(prepared.map((file) => files.discard(deps, file)));
      if (error instanceof StaleRender) return "stale";
      await fail(error instanceof DomainError ? error.message : "The rendered book could not be stored.");
      return "failed";
    }
    await Promise.all(staleKeys.map((key) => files.deleteObject(deps, key).catch(() => undefined)));
    await removeOthersFiles(deps, staleOthers);
    return "rendered";
  } catch (error) {
    // Storage unreachable while the photos were copied (say): the job is not retried, so without this
    // the book would say "rendering" until its owner's next request is allowed.
    await fail("The book could not be rendered (its photos could not be read); try again.").catch(() => undefined);
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

class StaleRender extends Error {}
