/** The only SQL of model personas (always in the owner's RLS transaction). */
import type { Tables, Tx } from "@inkwell/db";
import type { Selectable } from "kysely";

export type PersonaRow = Selectable<Tables.ModelPersonas>;

export interface PersonaValues {
  name?: string;
  description?: string;
  voice_id?: string | null;
  voice_settings?: { stability: number; similarity_boost: number; style: number };
  reference_asset_ids?: string[];
  is_active?: boolean;
}

const LIST_LIMIT = 200;

export function insertPersona(tx: Tx, userId: string, values: PersonaValues & { name: string }): Promise<PersonaRow> {
  return tx
    .insertInto("model_personas")
    .values({
      user_id: userId,
      name: values.name,
      ...(values.description !== undefined && { description: values.description }),
      ...(values.voice_id !== undefined && { voice_id: values.voice_id }),
      ...(values.voice_settings && { voice_settings: JSON.stringify(values.voice_settings) }),
      ...(values.reference_asset_ids && { reference_asset_ids: values.reference_asset_ids }),
      ...(values.is_active !== undefined && { is_active: values.is_active }),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listPersonas(tx: Tx): Promise<PersonaRow[]> {
  return tx
    .selectFrom("model_personas")
    .selectAll()
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(LIST_LIMIT)
    .execute();
}

export function findPersona(tx: Tx, personaId: string): Promise<PersonaRow | undefined> {
  return tx.selectFrom("model_personas").selectAll().where("id", "=", personaId).executeTakeFirst();
}

export function updatePersona(tx: Tx, personaId: string, values: PersonaValues): Promise<PersonaRow | undefined> {
  return tx
    .updateTable("model_personas")
    .set({
      ...(values.name !== undefined && { name: values.name }),
      ...(values.description !== undefined && { description: values.description }),
      ...(values.voice_id !== undefined && { voice_id: values.voice_id }),
      ...(values.voice_settings && { voice_settings: JSON.stringify(values.voice_settings) }),
      ...(values.reference_asset_ids && { reference_asset_ids: values.reference_asset_ids }),
      ...(values.is_active !== undefined && { is_active: values.is_active }),
    })
    .where("id", "=", personaId)
    .returningAll()
    .executeTakeFirst();
}

export async function deletePersona(tx: Tx, personaId: string): Promise<boolean> {
  const result = await tx.deleteFrom("model_personas").where("id", "=", personaId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
