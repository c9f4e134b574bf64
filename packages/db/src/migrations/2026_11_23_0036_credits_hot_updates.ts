import { type Kysely, sql } from "kysely";

/**
 * Lets a charge update its grant and account rows in place (HOT updates). Both partial indexes on
 * credit_grants named `remaining` in their predicate, so every charge's `remaining = remaining - n`
 * was a non-HOT update: a new entry in each of the table's indexes, and for a busy account a growing
 * trail of dead entries that the next charge's scans of the same user walked through while holding
 * the account lock. Without `remaining` in any index, and with room left in each page (fillfactor),
 * Postgres rewrites the row in its page and the indexes are not touched. The indexes keep serving the
 * same queries: the spending order per user, and the expiry job's scan by expiry (which also filters
 * on remaining > 0, now as a row filter over the few grants that expire).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE credit_grants SET (fillfactor = 70)`.execute(db);
  await sql`ALTER TABLE credit_accounts SET (fillfactor = 70)`.execute(db);
  await sql`DROP INDEX credit_grants_spend_order_idx`.execute(db);
  await sql`CREATE INDEX credit_grants_spend_order_idx ON credit_grants (user_id, paid, expires_at, created_at)`.execute(db);
  await sql`DROP INDEX credit_grants_expiry_idx`.execute(db);
  await sql`CREATE INDEX credit_grants_expiry_idx ON credit_grants (expires_at) WHERE expires_at IS NOT NULL`.execute(db);
}
