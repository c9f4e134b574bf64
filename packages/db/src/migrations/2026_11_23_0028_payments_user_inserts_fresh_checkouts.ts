import { type Kysely, sql } from "kysely";

/**
 * A user's own insert into `payments` is a fresh checkout and nothing more: pending, with none of the
 * columns only Stripe's answers fill (session, payment intent, URL, outcome, paid and refunded times).
 * Before, a row could be written with a chosen Stripe session or payment intent, which the webhook
 * falls back to when an event carries no payment id of ours — so a forged row could be matched to
 * someone else's payment (or a session of another integration) and fulfilled. The API never wrote
 * those columns as the user; now the database refuses it too.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DROP POLICY payments_user_insert ON payments`.execute(db);
  await sql`
    CREATE POLICY payments_user_insert ON payments FOR INSERT TO inkwell_user
      WITH CHECK (
        user_id = (SELECT app.current_user_id()) AND status = 'pending'
        AND stripe_session_id IS NULL AND stripe_payment_intent IS NULL AND checkout_url IS NULL
        AND outcome IS NULL AND paid_at IS NULL AND refunded_at IS NULL
      )`.execute(db);
}
