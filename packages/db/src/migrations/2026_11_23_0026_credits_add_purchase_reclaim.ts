import { type Kysely, sql } from "kysely";

/**
 * A refunded credit pack takes its credits back: a `reclaim` ledger entry (negative, tied to the
 * purchase grant) zeroes what is left of that grant. At most one per grant (the money is refunded
 * once); the balance CHECKs still stand, so a reclaim can never push an account below zero.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE credit_ledger DROP CONSTRAINT credit_ledger_entry_type_check`.execute(db);
  await sql`
    ALTER TABLE credit_ledger ADD CONSTRAINT credit_ledger_entry_type_check
      CHECK (entry_type IN ('grant', 'charge', 'hold', 'capture', 'release', 'refund', 'expire', 'reclaim'))`.execute(db);
  await sql`
    ALTER TABLE credit_ledger ADD CONSTRAINT credit_ledger_reclaim_shape
      CHECK (entry_type <> 'reclaim' OR (amount <= 0 AND grant_id IS NOT NULL))`.execute(db);
  await sql`CREATE UNIQUE INDEX credit_ledger_one_reclaim ON credit_ledger (grant_id) WHERE entry_type = 'reclaim'`.execute(db);
}
