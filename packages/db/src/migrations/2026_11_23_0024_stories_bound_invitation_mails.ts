import { type Kysely, sql } from "kysely";

/**
 * Invitation e-mails per campaign per day. An invited address is whatever the owner typed, unverified,
 * and inviting (or re-sending, or removing and inviting again) had no bound, so a loop mailed any
 * address without end. The worker counts each invitation it mails here, in a one-day window, under the
 * campaign's row lock (rows of removed invitations are deleted, so the count cannot live on them).
 * Kept by the system role only: users have no UPDATE grant on these columns.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE campaigns
      ADD COLUMN invite_mails_window_started_at timestamptz,
      ADD COLUMN invite_mails_in_window integer NOT NULL DEFAULT 0 CHECK (invite_mails_in_window >= 0)`.execute(db);
}
