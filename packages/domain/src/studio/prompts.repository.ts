/** The only SQL of the image prompts (always in the owner's RLS transaction). */
import type { Tables, Tx } from "@inkwell/db";
import { type Selectable, sql } from "kysely";

export type PromptRow = Selectable<Tables.ImagePrompts>;

export interface NewPrompt {
  user_id: string;
  persona_id: string | null;
  source_asset_id: string | null;
  prompt_text: string;
  prompt_index: number;
  variation_label: string;
  metadata: Record<string, unknown>;
}

export function insertPrompts(tx: Tx, prompts: NewPrompt[]): Promise<PromptRow[]> {
  return tx
    .insertInto("image_prompts")
    .values(prompts.map((p) => ({ ...p, metadata: JSON.stringify(p.metadata) })))
    .returningAll()
    .execute();
}

export function findPrompt(tx: Tx, promptId: string): Promise<PromptRow | undefined> {
  return tx.selectFrom("image_prompts").selectAll().where("id", "=", promptId).executeTakeFirst();
}

export interface ListFilter {
  personaId?: string | undefined;
  sourceAssetId?: string | undefined;
  cursor?: { at: Date; index: number; id: string } | undefined;
}

/** Milliseconds, as a JS Date carries them, so a cursor compares equal to its own row. */
const sortAt = sql<Date>`date_trunc('milliseconds', created_at)`;

/**
 * Newest run first; a run's five share created_at (one statement), so they come in prompt_index order.
 */
export function listPrompts(tx: Tx, filter: ListFilter, limit: number): Promise<PromptRow[]> {
  let q = tx.selectFrom("image_prompts").selectAll();
  if (filter.personaId) q = q.where("persona_id", "=", filter.personaId);
  if (filter.sourceAssetId) q = q.where("source_asset_id", "=", filter.sourceAssetId);
  if (filter.cursor) {
    const { at, index, id } = filter.cursor;
    q = q.where(
      sql<boolean>`(${sortAt} < ${at}::timestamptz OR (${sortAt} = ${at}::timestamptz AND (prompt_index, id) > (${index}, ${id}::uuid)))`,
    );
  }
  return q.orderBy(sortAt, "desc").orderBy("prompt_index", "asc").orderBy("id", "asc").limit(limit).execute();
}

export function updatePrompt(
  tx: Tx,
  promptId: string,
  patch: { prompt_text: string; variation_label?: string },
): Promise<PromptRow | undefined> {
  return tx
    .updateTable("image_prompts")
    .set({ ...patch, is_edited: true })
    .where("id", "=", promptId)
    .returningAll()
    .executeTakeFirst();
}

export function deletePrompt(tx: Tx, promptId: string): Promise<{ id: string } | undefined> {
  return tx.deleteFrom("image_prompts").where("id", "=", promptId).returning("id").executeTakeFirst();
}

/**
 * The caller's persona (RLS: another user's is not seen), for steering the prompts. Read here rather
 * than through the personas service so a prompt run does not depend on its voice settings shape.
 */
export function findPersona(tx: Tx, personaId: string): Promise<{ id: string; name: string; description: string } | undefined> {
  return tx.selectFrom("model_personas").select(["id", "name", "description"]).where("id", "=", personaId).executeTakeFirst();
}
