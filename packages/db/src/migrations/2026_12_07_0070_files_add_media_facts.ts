import { type Kysely, sql } from "kysely";

/**
 * Two things for uploads (files module):
 *
 * - The media facts the upload already read in the untrusted-parse pool (an image's width and height, a
 *   recording's or video's duration) are kept on the file's row, so attaching it to a story or the asset
 *   library no longer reads the whole object back from storage and parses it again. They are the
 *   server's own findings, never the client's; null where the upload had none (PDFs and text, a duration
 *   the container does not say, and every file stored before this migration, which attach still reads).
 * - For the daily sweep of uploads never attached to anything (`files.sweep-uploads`): an index on
 *   (purpose, created_at), and UPDATE on one column for the system role, only because `SELECT … FOR
 *   UPDATE` needs it: the sweep locks its candidates first (skipping any an attach is holding through its
 *   foreign key), then deletes those still unattached under a fresh snapshot. Nothing updates the column.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE stored_files
      ADD COLUMN width integer CHECK (width > 0),
      ADD COLUMN height integer CHECK (height > 0),
      ADD COLUMN duration_ms integer CHECK (duration_ms >= 0),
      ADD CONSTRAINT stored_files_dimensions_together CHECK ((width IS NULL) = (height IS NULL))`.execute(db);
  await sql`CREATE INDEX stored_files_purpose_created_idx ON stored_files (purpose, created_at)`.execute(db);
  await sql`GRANT UPDATE (created_at) ON stored_files TO inkwell_system`.execute(db);
}
