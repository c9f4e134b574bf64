/**
 * "Your data": the export of everything a user owns, and the end of an account.
 *
 * The export is built by the worker (`account.build-export`) as the user under row-level security, so
 * it can only ever contain what the user may read; every table with a `user_id` is filtered to their
 * own rows (a shared campaign's other members' stories stay out) and decided in account.plan.ts. Slow
 * I/O (reading files, writing the zip) runs with no transaction open.
 *
 * Deletion asks for the password again, ends every session at once, and leaves the rest to
 * `account.delete-account`: stored objects first, then the `users` row (cascades do the rest).
 */
import { randomUUID } from "node:crypto";
import { asSystem, asUser, type Database, type Tx } from "@inkwell/db";
import { verify } from "@node-rs/argon2";
import { type FilesDeps, files, type Storage } from "../files/index.ts";
import { sendEmailJob } from "../identity/index.ts";
import { notifications } from "../notifications/index.ts";
import { DomainError } from "../platform/errors.ts";
import type { Enqueue, Logger } from "../platform/queue.ts";
import { buildExportJob, deleteAccountJob } from "./account.jobs.ts";
import { OWNED_THROUGH_PARENT, TABLE_DECISIONS, USERS_OMIT, undecidedTables } from "./account.plan.ts";
import * as repo from "./account.repository.ts";
import {
  type DataExport,
  type DeletionStatus,
  DOWNLOAD_LINK_TTL_SECONDS,
  EXPORT_COOLDOWN_SECONDS,
  EXPORT_TTL_DAYS,
  type ExportStatus,
  FORMER_MEMBER,
} from "./account.schemas.ts";
import { ZipBuilder } from "./account.zip.ts";

/** The files purpose of export zips (left out of later exports: an export does not contain exports). */
export const EXPORT_PURPOSE = "data_export";

function toExport(row: repo.ExportRow, keyRing: FilesDeps["keyRing"]): DataExport {
  const live = row.status === "ready" && row.file_id && row.expires_at && row.expires_at.getTime() > Date.now();
  return {
    id: row.id,
    status: row.status as ExportStatus,
    requestedAt: row.requested_at,
    finishedAt: row.finished_at,
    expiresAt: row.expires_at,
    byteSize: row.byte_size === null ? null : Number(row.byte_size),
    tableCount: row.table_count,
    rowCount: row.row_count,
    fileCount: row.file_count,
    error: row.error,
    downloadUrl: live && row.file_id ? files.signedUrl({ keyRing }, { id: row.file_id }, DOWNLOAD_LINK_TTL_SECONDS) : null,
  };
}

export async function listExports(deps: Pick<FilesDeps, "keyRing">, tx: Tx): Promise<DataExport[]> {
  const rows = await repo.listExports(tx, 10);
  return rows.map((r) => toExport(r, deps.keyRing));
}

/** Queues a new export (one at a time, and not more often than every ten minutes). */
export async function requestExport(
  deps: { enqueue: Enqueue; keyRing: FilesDeps["keyRing"]; appUrl: string },
  tx: Tx,
  userId: string,
): Promise<DataExport> {
  const last = await repo.lastRequest(tx);
  if (last && (last.status === "pending" || last.status === "building")) {
    throw new DomainError("PRECONDITION_FAILED", "Your export is already being prepared.");
  }
  const waited = last ? (Date.now() - last.requested_at.getTime()) / 1000 : Number.POSITIVE_INFINITY;
  if (waited < EXPORT_COOLDOWN_SECONDS) {
    const retryAfterSeconds = Math.ceil(EXPORT_COOLDOWN_SECONDS - waited);
    throw new DomainError("RATE_LIMITED", "You asked for an export a few minutes ago. Please wait before asking again.", {
      retryAfterSeconds,
    });
  }
  const row = await repo.insertExport(tx, userId);
  await deps.enqueue(tx, buildExportJob, { userId, exportId: row.id, appUrl: deps.appUrl });
  return toExport(row, deps.keyRing);
}

const MEDIA = /^(image|audio|video)\/|^application\/(pdf|zip)$/;

function entryName(name: string): string {
  return name.replace(/[\\/\p{Cc}]/gu, "_").slice(0, 120) || "file";
}

/** Another copy of the same job marked the request ready first (rolls back this copy's file row). */
class BuiltTwice extends Error {}

export interface BuiltExport {
  tables: string[];
  rowCount: number;
  fileCount: number;
  byteSize: number;
}

/**
 * What the worker runs. Returns null when the request is gone or already finished (a duplicate job).
 */
export async function buildExport(
  deps: { db: Database; storage: Storage; enqueue: Enqueue; log: Logger },
  data: { userId: string; exportId: string; appUrl: string },
): Promise<BuiltExport | null> {
  const { db, storage, log } = deps;
  const { userId, exportId } = data;
  const claimed = await asSystem(db, (tx) => repo.startBuilding(tx, exportId, userId));
  if (!claimed) return null;
  let zip: ZipBuilder | null = null;
  try {
    zip = new ZipBuilder();
    const out = zip;
    const manifest: { table: string; rows: number; omitted?: Record<string, string> }[] = [];
    // Every table left out on purpose, with why (some the user's role cannot even see in the catalog).
    const skipped = Object.entries(TABLE_DECISIONS).flatMap(([table, d]) => (d.export ? [] : [{ table, reason: d.reason }]));
    let rowCount = 0;
    // 1. Every table, as the user, in one transaction (one snapshot); no I/O but the database here.
    const ownFiles = await asUser(db, userId, async (tx) => {
      const catalog = await repo.tablesWithUserId(tx);
      const undecided = undecidedTables(catalog);
      // A table nobody decided on is left out (its columns may hold secrets) and logged loudly; the
      // account tests fail on it before it ships.
      if (undecided.length) log.warn({ tables: undecided }, "account export: tables without an export decision");
      const addTable = (table: string, rows: Record<string, unknown>[], omit?: Record<string, string>) => {
        out.addJson(`data/${table}.json`, rows);
        manifest.push({ table, rows: rows.length, ...(omit ? { omitted: omit } : {}) });
        rowCount += rows.length;
      };
      const columnsOf = async (table: string, omit: Record<string, string> = {}) => {
        const all = await repo.readableColumns(tx, table);
        for (const column of Object.keys(omit)) {
          if (!all.includes(column)) throw new Error(`account export: ${table}.${column} is omitted but does not exist`);
        }
        return all.filter((c) => !(c in omit));
      };
      addTable("users", await repo.selectRows(tx, "users", await columnsOf("users", USERS_OMIT), "id", userId), USERS_OMIT);
      for (const table of catalog) {
        const decision = TABLE_DECISIONS[table];
        if (!decision) continue;
        if (!decision.export) continue;
        addTable(
          table,
          await repo.selectRows(tx, table, await columnsOf(table, decision.omit), "user_id", userId),
          decision.omit,
        );
      }
      for (const [table, { column, parent }] of Object.entries(OWNED_THROUGH_PARENT)) {
        addTable(table, await repo.selectRowsThroughParent(tx, table, await columnsOf(table), column, parent, userId));
      }
      return repo.ownedFiles(tx, userId, EXPORT_PURPOSE);
    });
    // 2. The files' bytes, with no transaction open (S3 is an HTTP call).
    let fileCount = 0;
    const missing: string[] = [];
    for (const file of ownFiles) {
      const bytes = await storage.get(file.storage_key);
      if (!bytes) {
        missing.push(file.id);
        continue;
      }
      const folder = entryName(file.purpose);
      const compress = !MEDIA.test(file.filename) && !/\.(png|jpe?g|webp|gif|mp[34]|m4a|ogg|webm|pdf|zip)$/i.test(file.filename);
      zip.add(`files/${folder}/${file.id}-${entryName(file.filename)}`, bytes, compress);
      fileCount++;
    }
    zip.addJson("manifest.json", {
      exportedAt: new Date().toISOString(),
      userId,
      tables: manifest,
      notExported: skipped,
      files: { included: fileCount, missingFromStorage: missing },
    });
    zip.add("README.txt", new TextEncoder().encode(README), true);
    const spooled = await zip.finish();

    // 3. Stored through the files module: the object first, then its row in the finishing transaction.
    const fileId = randomUUID();
    const prepared = {
      id: fileId,
      purpose: EXPORT_PURPOSE,
      filename: `inkwell-export-${new Date().toISOString().slice(0, 10)}.zip`,
      contentType: "application/zip",
      byteSize: spooled.byteSize,
      sha256: spooled.sha256,
      storageKey: `data-export/${userId}/${fileId}`,
    };
    // Streamed from the spool file: the zip is never whole in memory.
    await storage.putFile(prepared.storageKey, spooled.path, prepared.contentType);
    const expiresAt = new Date(Date.now() + EXPORT_TTL_DAYS * 86_400_000);
    try {
      await asSystem(db, async (tx) => {
        await files.record(tx, userId, prepared);
        const won = await repo.markReady(tx, exportId, {
          fileId,
          byteSize: spooled.byteSize,
          tableCount: manifest.length,
          rowCount,
          fileCount,
          expiresAt,
        });
        if (!won) throw new BuiltTwice();
        await notifications.notify(tx, {
          userId,
          kind: "data_export_ready",
          title: "Your data export is ready",
          body: `Download it from Your data until ${expiresAt.toUTCString()}.`,
          dedupeKey: `data-export:${exportId}`,
        });
        const account = await repo.findEmail(tx, userId);
        if (account) {
          await deps.enqueue(tx, sendEmailJob, {
            to: account.email,
            subject: "Your Inkwell data export is ready",
            text: `The export of your Inkwell data is ready to download (${Math.ceil(spooled.byteSize / 1024)} KB).\n\nSign in and open ${data.appUrl}/your-data to download it. It is kept until ${expiresAt.toUTCString()} and then deleted.\n\nIf you did not ask for this, change your password.`,
          });
        }
      });
    } catch (error) {
      await files.discard({ storage }, prepared);
      if (error instanceof BuiltTwice) {
        log.info({ userId, exportId }, "data export already built by another copy of the job; this zip discarded");
        return null;
      }
      throw error;
    }
    log.info({ userId, exportId, tables: manifest.length, rowCount, fileCount, bytes: spooled.byteSize }, "data export built");
    return { tables: manifest.map((m) => m.table), rowCount, fileCount, byteSize: spooled.byteSize };
  } catch (error) {
    await asSystem(db, (tx) => repo.markFailed(tx, exportId, "The export could not be built. Please try again later."));
    throw error;
  } finally {
    zip?.dispose();
  }
}

const README = `Your Inkwell data
=================

data/<table>.json  every row you own in each part of Inkwell, one JSON file per table
                   (users.json is your account; campaign_prompts.json the questions of your campaigns).
files/<purpose>/   the files you uploaded (logos, voice samples, post media, story photos and audio).
manifest.json      what is in this export: row counts per table, columns left out and why, and the
                   tables not exported and why.

Left out on purpose: password and token hashes, sealed access tokens and API keys (secrets that are
useless to you), and search indexes derived from text that is included. Stories, comments and
reactions you wrote in other families' campaigns are included; what other members wrote is not.
`;

/** Deletes ready exports past their expiry: the zip's row, then its object. */
export async function expireExports(deps: { db: Database; storage: Storage }): Promise<number> {
  const due = await asSystem(deps.db, async (tx) => {
    const rows = await repo.expiredExports(tx, 200);
    for (const row of rows) await repo.expireExport(tx, row.id, row.file_id);
    return rows;
  });
  for (const row of due) if (row.storage_key) await deps.storage.delete(row.storage_key);
  return due.length;
}

// Deletion

/** Wrong passwords allowed per account in the window before deleting is refused for a while. */
const DELETE_GUESS_LIMIT = 10;
const DELETE_GUESS_WINDOW_SECONDS = 15 * 60;

export async function deletionStatus(tx: Tx): Promise<DeletionStatus | null> {
  const row = await repo.findDeletion(tx);
  return row ? { requestedAt: row.requested_at } : null;
}

/**
 * Checks the password (outside any transaction: argon2 is tens of milliseconds of CPU), then in one
 * system transaction records the request, ends every session of the account and queues the deletion.
 * Runs with no request transaction open (a signed-in procedure without one).
 */
export async function requestDeletion(
  deps: { db: Database; enqueue: Enqueue },
  userId: string,
  password: string,
  /** Runs once the password is right, before anything is deleted (the API ends paid subscriptions here). */
  beforeDeleting: () => Promise<void> = async () => {},
): Promise<void> {
  // A stolen session must not become an unlimited password oracle: every guess is counted first, in
  // its own committed transaction, per account (as identity counts guesses when changing a password).
  const throttleKey = `account-delete-user:${userId}`;
  const { attempts, retryAfterSeconds } = await asSystem(deps.db, (tx) =>
    repo.hitThrottle(tx, throttleKey, DELETE_GUESS_WINDOW_SECONDS),
  );
  if (attempts > DELETE_GUESS_LIMIT) {
    throw new DomainError("RATE_LIMITED", "Too many attempts. Please wait and try again.", { retryAfterSeconds });
  }
  const account = await asSystem(deps.db, (tx) => repo.findPasswordHash(tx, userId));
  const ok = account ? await verify(account.password_hash, password).catch(() => false) : false;
  if (!ok) throw new DomainError("INVALID_INPUT", "That password is not correct.", { field: "password" });
  await beforeDeleting();
  await asSystem(deps.db, async (tx) => {
    await repo.clearThrottle(tx, throttleKey);
    await repo.insertDeletion(tx, userId);
    await repo.deleteSessions(tx, userId);
    await deps.enqueue(tx, deleteAccountJob, { userId });
  });
}

/**
 * What the worker runs: the user's objects in storage, then the account row in one transaction (and
 * any object uploaded in between, after it commits). Returns false when the account was already gone.
 */
export async function deleteAccount(
  deps: { db: Database; storage: Storage; enqueue: Enqueue; log: Logger },
  userId: string,
): Promise<boolean> {
  const keys = await asSystem(deps.db, (tx) => repo.storageKeys(tx, userId));
  for (const key of keys) await deps.storage.delete(key);
  const outcome = await asSystem(deps.db, async (tx) => {
    const account = await repo.findEmail(tx, userId);
    if (!account) return null;
    await repo.countDeletedObjects(tx, userId, keys.length);
    await repo.deleteSessions(tx, userId);
    const passedOn = await repo.passOnCampaigns(tx, userId);
    await repo.anonymiseStories(tx, userId, FORMER_MEMBER);
    const late = (await repo.storageKeys(tx, userId)).filter((k) => !keys.includes(k));
    await repo.deleteUser(tx, userId);
    await deps.enqueue(tx, sendEmailJob, {
      to: account.email,
      subject: "Your Inkwell account has been deleted",
      text: "Your Inkwell account and everything it held have been deleted, as you asked. Stories you wrote in other families' campaigns stay with those campaigns, signed as a former member.\n\nThere is nothing more to do. Thank you for using Inkwell.",
    });
    return { late, passedOn };
  });
  if (!outcome) return false;
  for (const key of outcome.late) await deps.storage.delete(key);
  deps.log.info({ userId, objects: keys.length + outcome.late.length, campaignsPassedOn: outcome.passedOn }, "account deleted");
  return true;
}
