import { type Kysely, sql } from "kysely";

/** The sweep (`payments.sweep-events`) looks for stored events still unprocessed after a while. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX payment_events_unprocessed_idx ON payment_events (received_at) WHERE processed_at IS NULL`.execute(db);
}
