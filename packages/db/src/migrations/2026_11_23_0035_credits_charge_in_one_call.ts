import { type Kysely, sql } from "kysely";

/**
 * `app.charge_credits` does a whole credit charge in one call (it was six round trips from the service):
 * lock the account row, replay or refuse a reused idempotency key, check what is spendable, take the
 * credits from the grants in spending order, move the cached balance, append the ledger entry, and
 * leave the 80% / 100% notification once per allowance. Same rules, same statements as the service had.
 *
 * SECURITY INVOKER on purpose: it runs as the caller's role, so the tables' row-level security still
 * decides whose rows it may touch (as the user, only their own; another user's account is simply not
 * found). VOLATILE plpgsql at READ COMMITTED: every statement after the row lock takes a new snapshot,
 * so the reads see whatever a charge that held the lock before us committed.
 *
 * Outcomes come back as a row, not as errors, so the service can build its domain errors with the
 * figures the web shows (needed / available), and a one-message caller can still COMMIT after it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION app.charge_credits(
      p_user_id uuid, p_operation text, p_amount integer, p_idempotency_key text, p_request_hash text)
    RETURNS TABLE (outcome text, ledger_id uuid, charged integer, available integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
      v_balance integer;
      v_held integer;
      v_prev_id uuid;
      v_prev_amount integer;
      v_prev_hash text;
      v_spendable integer;
      v_granted integer;
      v_taken integer;
      v_latest uuid;
    BEGIN
      IF p_amount IS NULL OR p_amount <= 0 THEN
        RAISE EXCEPTION 'a charge must be a positive number of credits' USING ERRCODE = 'invalid_parameter_value';
      END IF;

      -- Serialises every credit change of this user (the service's other paths lock the same row).
      SELECT a.balance, a.held INTO v_balance, v_held
        FROM public.credit_accounts a WHERE a.user_id = p_user_id FOR UPDATE;
      IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_account'::text, NULL::uuid, 0, 0;
        RETURN;
      END IF;

      -- A retried request is charged once; the same key for a different request is refused.
      SELECT l.id, l.amount, l.request_hash INTO v_prev_id, v_prev_amount, v_prev_hash
        FROM public.credit_ledger l
       WHERE l.user_id = p_user_id AND l.entry_type = 'charge' AND l.idempotency_key = p_idempotency_key;
      IF FOUND THEN
        IF v_prev_hash IS DISTINCT FROM p_request_hash THEN
          RETURN QUERY SELECT 'conflict'::text, NULL::uuid, 0, 0;
        ELSE
          RETURN QUERY SELECT 'replayed'::text, v_prev_id, -v_prev_amount, 0;
        END IF;
        RETURN;
      END IF;

      -- Spendable: unexpired grants (expired ones wait for the expiry job), less what holds reserve.
      SELECT coalesce(sum(g.remaining), 0)::int, coalesce(sum(g.amount), 0)::int INTO v_spendable, v_granted
        FROM public.credit_grants g
       WHERE g.user_id = p_user_id AND (g.expires_at IS NULL OR g.expires_at > now());
      IF v_spendable - v_held < p_amount THEN
        RETURN QUERY SELECT 'insufficient'::text, NULL::uuid, 0, v_spendable - v_held;
        RETURN;
      END IF;

      -- Free before paid, soonest expiring first (never-expiring last), then oldest.
      WITH ordered AS (
        SELECT g.id, g.remaining,
               sum(g.remaining) OVER (ORDER BY g.paid, g.expires_at NULLS LAST, g.created_at, g.id) AS running
          FROM public.credit_grants g
         WHERE g.user_id = p_user_id AND g.remaining > 0 AND (g.expires_at IS NULL OR g.expires_at > now())
      ), take AS (
        SELECT o.id, least(o.remaining, p_amount - (o.running - o.remaining))::int AS taken
          FROM ordered o WHERE o.running - o.remaining < p_amount
      ), done AS (
        UPDATE public.credit_grants g SET remaining = g.remaining - take.taken
          FROM take WHERE g.id = take.id
        RETURNING take.taken
      )
      SELECT coalesce(sum(done.taken), 0)::int INTO v_taken FROM done;
      IF v_taken <> p_amount THEN
        RAISE EXCEPTION 'credit grants changed under the account lock';
      END IF;

      UPDATE public.credit_accounts SET balance = v_balance - p_amount WHERE user_id = p_user_id;
      INSERT INTO public.credit_ledger
        (user_id, entry_type, amount, held_delta, balance_after, held_after, operation, idempotency_key, request_hash)
      VALUES
        (p_user_id, 'charge', -p_amount, 0, v_balance - p_amount, v_held, p_operation, p_idempotency_key, p_request_hash)
      RETURNING id INTO v_prev_id;

      -- Once per allowance (the newest grant re-arms it): at 80% spent, and when nothing is left. The
      -- words are the service's alertIfLow (credits.service.ts), which holds and captures use.
      v_spendable := v_spendable - v_held - p_amount;
      IF v_granted > 0 AND v_spendable <= v_granted * 0.2 THEN
        SELECT g.id INTO v_latest FROM public.credit_grants g
         WHERE g.user_id = p_user_id ORDER BY g.created_at DESC, g.id DESC LIMIT 1;
        IF v_spendable <= 0 THEN
          INSERT INTO public.notifications (user_id, kind, title, body, dedupe_key)
          VALUES (p_user_id, 'credits.empty', 'You have used all your credits',
                  'New generations need credits. Your monthly grant tops you up, or add credits now.',
                  'credits-100:' || coalesce(v_latest::text, 'none'))
          ON CONFLICT (user_id, dedupe_key) DO NOTHING;
        ELSE
          INSERT INTO public.notifications (user_id, kind, title, body, dedupe_key)
          VALUES (p_user_id, 'credits.low', '80% of your credits are used',
                  'You have ' || v_spendable || ' credits left.',
                  'credits-80:' || coalesce(v_latest::text, 'none'))
          ON CONFLICT (user_id, dedupe_key) DO NOTHING;
        END IF;
      END IF;

      RETURN QUERY SELECT 'charged'::text, v_prev_id, p_amount, v_spendable;
    END $$`.execute(db);
  await sql`REVOKE ALL ON FUNCTION app.charge_credits(uuid, text, integer, text, text) FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.charge_credits(uuid, text, integer, text, text) TO inkwell_user, inkwell_system`.execute(
    db,
  );
}
