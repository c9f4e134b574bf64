import { type Kysely, sql } from "kysely";

/**
 * An asset grouped under a persona (0052's `persona_id`) now points at a real persona; deleting the
 * persona keeps its assets, ungrouped. The referential action runs as the table owner, so it clears
 * the column whatever the user's column grants and policies say.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE studio_assets
      ADD CONSTRAINT studio_assets_persona_id_fkey
      FOREIGN KEY (persona_id) REFERENCES model_personas(id) ON DELETE SET NULL`.execute(db);
}
