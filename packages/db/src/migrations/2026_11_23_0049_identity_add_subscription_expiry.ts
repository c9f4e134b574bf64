import { type Kysely, sql } from "kysely";

/**
 * The tier's expiry beside the tier (seed 001's `subscription_expires_at`): identity's `users` row stays
 * the one place the rest of the app reads a user's plan from. Null means the tier does not lapse (free,
 * or set by an administrator); a subscription keeps it at the paid period's end (or the grace period's
 * end while a renewal is unpaid). The monthly grant job leaves users with an expiry to their renewals.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE users ADD COLUMN subscription_expires_at timestamptz`.execute(db);
}
