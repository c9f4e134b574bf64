/** The only SQL of the admin module: site settings and announcements (always as the system role). */
import type { Tables, Tx } from "@inkwell/db";
import { type Selectable, sql } from "kysely";
import type { Announcement } from "./admin.schemas.ts";

export function configRows(tx: Tx) {
  return tx.selectFrom("admin_config").select(["config_key", "config_value", "updated_at"]).execute();
}

export function configRow(tx: Tx, key: string) {
  return tx.selectFrom("admin_config").select(["config_value", "updated_at"]).where("config_key", "=", key).executeTakeFirst();
}

export async function upsertConfig(tx: Tx, key: string, value: unknown, updatedBy: string) {
  await tx
    .insertInto("admin_config")
    .values({ config_key: key, config_value: JSON.stringify(value), updated_by: updatedBy })
    .onConflict((oc) => oc.column("config_key").doUpdateSet({ config_value: JSON.stringify(value), updated_by: updatedBy }))
    .execute();
}

type AnnouncementRow = Selectable<Tables.Announcements>;
const COLUMNS = ["id", "title", "message", "enabled", "expires_at", "created_at", "updated_at"] as const;

export const toAnnouncement = (r: Pick<AnnouncementRow, (typeof COLUMNS)[number]>): Announcement => ({
  id: r.id,
  title: r.title,
  message: r.message,
  enabled: r.enabled,
  expiresAt: r.expires_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function listAnnouncements(tx: Tx, limit: number) {
  return tx
    .selectFrom("announcements")
    .select(COLUMNS)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

export function activeAnnouncements(tx: Tx, limit: number) {
  return tx
    .selectFrom("announcements")
    .select(COLUMNS)
    .where("enabled", "=", true)
    .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", sql<Date>`now()`)]))
    .orderBy("created_at", "desc")
    .limit(limit)
    .execute();
}

export function insertAnnouncement(
  tx: Tx,
  row: { title: string; message: string; enabled: boolean; expires_at: Date | null; created_by: string },
) {
  return tx.insertInto("announcements").values(row).returning(COLUMNS).executeTakeFirstOrThrow();
}

export function updateAnnouncement(
  tx: Tx,
  id: string,
  patch: { title?: string; message?: string; enabled?: boolean; expires_at?: Date | null },
) {
  return tx.updateTable("announcements").set(patch).where("id", "=", id).returning(COLUMNS).executeTakeFirst();
}

export async function deleteAnnouncement(tx: Tx, id: string) {
  const r = await tx.deleteFrom("announcements").where("id", "=", id).executeTakeFirst();
  return r.numDeletedRows > 0n;
}
