/**
 * The only SQL of image generations. Every state change is a conditional UPDATE on the status it
 * expects (`... WHERE status IN (...) RETURNING`): the caller learns whether it won, so a job delivered
 * twice, a sweep racing a poll, or a user's cancel racing the worker each settle a row exactly once.
 */
import type { Tables, Tx } from "@inkwell/db";
import { type Selectable, sql } from "kysely";
import { type GenerationStatus, IN_FLIGHT_STATUSES } from "./generations.schemas.ts";

export type GenerationRow = Selectable<Tables.ImageGenerations>;

export interface NewGeneration {
  id: string;
  user_id: string;
  prompt_id: string | null;
  persona_id: string | null;
  prompt_text: string;
  provider: string;
  offline: boolean;
  model: string | null;
  settings: { width: number; height: number; model?: string };
  hold_id: string | null;
  /** When the sweep should look at it if no job has moved it. */
  next_poll_at: Date;
}

export function insertGeneration(tx: Tx, g: NewGeneration): Promise<GenerationRow> {
  return tx
    .insertInto("image_generations")
    .values({ ...g, settings: JSON.stringify(g.settings) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Whether the caller can see this persona (RLS: their own). */
export async function personaVisible(tx: Tx, personaId: string): Promise<boolean> {
  return Boolean(await tx.selectFrom("model_personas").select("id").where("id", "=", personaId).executeTakeFirst());
}

export function findGeneration(tx: Tx, id: string): Promise<GenerationRow | undefined> {
  return tx.selectFrom("image_generations").selectAll().where("id", "=", id).executeTakeFirst();
}

export function listGenerations(
  tx: Tx,
  filter: { status?: readonly GenerationStatus[] | undefined; cursor?: { at: Date; id: string } | undefined },
  limit: number,
): Promise<GenerationRow[]> {
  let q = tx.selectFrom("image_generations").selectAll();
  if (filter.status?.length) q = q.where("status", "in", [...filter.status]);
  if (filter.cursor) {
    const { at, id } = filter.cursor;
    q = q.where((eb) => eb.or([eb("created_at", "<", at), eb.and([eb("created_at", "=", at), eb("id", "<", id)])]));
  }
  return q.orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
}

/** The caller's rows changed after `since` (the watch subscription), oldest change first. */
export function changedSince(tx: Tx, since: Date, limit: number) {
  return tx
    .selectFrom("image_generations")
    .select(["id", "status", "error_message", "result_file_ids", "updated_at"])
    .where("updated_at", ">", since)
    .orderBy("updated_at", "asc")
    .limit(limit)
    .execute();
}

/** Moves a row from one of `from` to `to` with the patch; undefined when it was not in `from` (someone else won). */
export function transition(
  tx: Tx,
  id: string,
  from: readonly GenerationStatus[],
  patch: {
    status?: GenerationStatus;
    provider_job_id?: string;
    error_message?: string | null;
    poll_attempts?: number;
    next_poll_at?: Date | null;
    started_at?: Date;
    completed_at?: Date;
    result_file_ids?: string[];
  },
): Promise<GenerationRow | undefined> {
  return tx
    .updateTable("image_generations")
    .set(patch)
    .where("id", "=", id)
    .where("status", "in", [...from])
    .returningAll()
    .executeTakeFirst();
}

/** The saved asset ids of a generation, its row locked until the transaction ends (saves of one result queue here). */
export async function lockSavedAssets(tx: Tx, id: string): Promise<string[] | undefined> {
  const row = await tx
    .selectFrom("image_generations")
    .select("saved_asset_ids")
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
  return row?.saved_asset_ids;
}

/** Records the asset a result was saved as (at its position in saved_asset_ids). */
export async function setSavedAsset(tx: Tx, id: string, index: number, assetId: string): Promise<void> {
  await sql`UPDATE image_generations SET saved_asset_ids[${index + 1}] = ${assetId}::uuid WHERE id = ${id}`.execute(tx);
}

/**
 * In-flight rows the worker should have moved by now (system role, across users): a submit that never
 * recorded its id (a crash, a lost job), a poll whose job vanished. Oldest due first; the partial index
 * holds only in-flight rows.
 */
export function stuckGenerations(tx: Tx, olderThan: Date, limit: number) {
  return tx
    .selectFrom("image_generations")
    .select(["id", "user_id", "status"])
    .where("status", "in", [...IN_FLIGHT_STATUSES])
    .where("next_poll_at", "<", olderThan)
    .orderBy("next_poll_at", "asc")
    .limit(limit)
    .execute();
}

/** The owner of the in-flight row a provider job id belongs to (system role: the webhook has no user). */
export function findByProviderJob(tx: Tx, providerJobId: string) {
  return tx
    .selectFrom("image_generations")
    .select(["id", "user_id", "status"])
    .where("provider_job_id", "=", providerJobId)
    .where("status", "in", [...IN_FLIGHT_STATUSES])
    .execute();
}
