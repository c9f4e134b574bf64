/** The only SQL of the brand module (always in the owner's RLS transaction). */
import type { Tables, Tx } from "@inkwell/db";
import type { Selectable } from "kysely";

export type KitRow = Pick<
  Selectable<Tables.BrandKits>,
  "brand_name" | "tagline" | "logo_file_id" | "primary_color" | "secondary_color" | "accent_color" | "voice_prompt" | "updated_at"
> & {
  // left join on the logo file: null when there is none
  logo_filename: Selectable<Tables.StoredFiles>["filename"] | null;
  logo_content_type: Selectable<Tables.StoredFiles>["content_type"] | null;
  logo_byte_size: Selectable<Tables.StoredFiles>["byte_size"] | null;
};

export type KitPatch = Partial<Omit<KitRow, "updated_at" | "logo_filename" | "logo_content_type" | "logo_byte_size">>;

export function findKit(tx: Tx, userId: string): Promise<KitRow | undefined> {
  return tx
    .selectFrom("brand_kits as k")
    .leftJoin("stored_files as f", "f.id", "k.logo_file_id")
    .select([
      "k.brand_name",
      "k.tagline",
      "k.logo_file_id",
      "k.primary_color",
      "k.secondary_color",
      "k.accent_color",
      "k.voice_prompt",
      "k.updated_at",
      "f.filename as logo_filename",
      "f.content_type as logo_content_type",
      "f.byte_size as logo_byte_size",
    ])
    .where("k.user_id", "=", userId)
    .executeTakeFirst();
}

/** Locks the caller's kit row (if any) and says which logo it points at, before a change. */
export async function lockKit(tx: Tx, userId: string): Promise<{ logo_file_id: string | null } | undefined> {
  return tx.selectFrom("brand_kits").select("logo_file_id").where("user_id", "=", userId).forUpdate().executeTakeFirst();
}

export async function upsertKit(tx: Tx, userId: string, patch: KitPatch): Promise<void> {
  await tx
    .insertInto("brand_kits")
    .values({ user_id: userId, ...patch })
    .onConflict((oc) => (Object.keys(patch).length ? oc.column("user_id").doUpdateSet(patch) : oc.column("user_id").doNothing()))
    .execute();
}
