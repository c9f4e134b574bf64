import { type Kysely, sql } from "kysely";

/**
 * `app.charge_credits_batch` runs a batch of one user's charges (credits.chargeNow sends a busy
 * account's waiting charges together) as one call instead of one app.charge_credits call each: the
 * account row is locked once, the grants are read once in spending order, every charge's checks run in
 * order on variables (replay or conflict by key, spendable, the grants it takes), each charge appends
 * its own ledger entry, and the account row and each grant it touched are written once at the end.
 * A batch of n consecutive calls wrote those rows n times each inside one transaction, and repeated
 * the lock, the spendable sum and the spending-order window n times.
 *
 * Same rules and outcomes as app.charge_credits (0035), one row per charge in the order given:
 * `charged`, `replayed` (the key was charged before, also earlier in this batch: the ledger entries
 * this call inserted are visible to its own lookups), `conflict`, `insufficient`, `no_account`. The
 * low-credit notices are the same two, once per allowance (their dedupe keys), with the figure of the
 * charge that first crossed 80%. An invalid amount is an error for the whole batch (as it is for the
 * call), which the service then retries charge by charge.
 *
 * SECURITY INVOKER as 0035: row-level security still decides whose rows it may touch (as the user,
 * another user's account is simply not found).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION app.charge_credits_batch(
      p_user_id uuid, p_operations text[], p_amounts integer[], p_idempotency_keys text[], p_request_hashes text[])
    RETURNS TABLE (outcome text, ledger_id uuid, charged integer, available integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
      v_n integer := coalesce(array_length(p_amounts, 1), 0);
      v_balance integer;
      v_start_balance integer;
      v_held integer;
      v_spendable integer;
      v_granted integer;
      v_ids uuid[];
      v_remaining integer[];
      v_start_remaining integer[];
      v_prev_id uuid;
      v_prev_amount integer;
      v_prev_hash text;
      v_amount integer;
      v_need integer;
      v_take integer;
      v_left integer;
      v_low_left integer;
      v_empty boolean := false;
      v_latest uuid;
      i integer;
      j integer;
    BEGIN
      IF coalesce(array_length(p_operations, 1), 0) <> v_n OR coalesce(array_length(p_idempotency_keys, 1), 0) <> v_n
         OR coalesce(array_length(p_request_hashes, 1), 0) <> v_n THEN
        RAISE EXCEPTION 'a charge batch needs one operation, amount, key and request hash per charge'
          USING ERRCODE = 'invalid_parameter_value';
      END IF;
      FOR i IN 1 .. v_n LOOP
        IF p_amounts[i] IS NULL OR p_amounts[i] <= 0 THEN
          RAISE EXCEPTION 'a charge must be a positive number of credits' USING ERRCODE = 'invalid_parameter_value';
        END IF;
      END LOOP;

      -- Serialises every credit change of this user (the other paths lock the same row).
      SELECT a.balance, a.held INTO v_balance, v_held
        FROM public.credit_accounts a WHERE a.user_id = p_user_id FOR UPDATE;
      IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_account'::text, NULL::uuid, 0, 0 FROM generate_series(1, v_n);
        RETURN;
      END IF;
      v_start_balance := v_balance;

      -- Unexpired grants (expired ones wait for the expiry job): what is spendable, what was granted,
      -- and those with credits left in spending order (free before paid, soonest expiring first,
      -- never-expiring last, then oldest). now() is the transaction's: the same for every charge here.
      SELECT coalesce(sum(g.remaining), 0)::int, coalesce(sum(g.amount), 0)::int INTO v_spendable, v_granted
        FROM public.credit_grants g
       WHERE g.user_id = p_user_id AND (g.expires_at IS NULL OR g.expires_at > now());
      SELECT coalesce(array_agg(g.id ORDER BY g.paid, g.expires_at NULLS LAST, g.created_at, g.id), '{}'),
             coalesce(array_agg(g.remaining ORDER BY g.paid, g.expires_at NULLS LAST, g.created_at, g.id), '{}')
        INTO v_ids, v_remaining
        FROM public.credit_grants g
       WHERE g.user_id = p_user_id AND g.remaining > 0 AND (g.expires_at IS NULL OR g.expires_at > now());
      v_start_remaining := v_remaining;

      FOR i IN 1 .. v_n LOOP
        v_amount := p_amounts[i];
        -- A retried request is charged once; the same key for a different request is refused.
        SELECT l.id, l.amount, l.request_hash INTO v_prev_id, v_prev_amount, v_prev_hash
          FROM public.credit_ledger l
         WHERE l.user_id = p_user_id AND l.entry_type = 'charge' AND l.idempotency_key = p_idempotency_keys[i];
        IF FOUND THEN
          IF v_prev_hash IS DISTINCT FROM p_request_hashes[i] THEN
            RETURN QUERY SELECT 'conflict'::text, NULL::uuid, 0, 0;
          ELSE
            RETURN QUERY SELECT 'replayed'::text, v_prev_id, -v_prev_amount, 0;
          END IF;
          CONTINUE;
        END IF;

        IF v_spendable - v_held < v_amount THEN
          RETURN QUERY SELECT 'insufficient'::text, NULL::uuid, 0, v_spendable - v_held;
          CONTINUE;
        END IF;

        v_need := v_amount;
        j := 1;
        WHILE v_need > 0 AND j <= coalesce(array_length(v_ids, 1), 0) LOOP
          v_take := least(v_remaining[j], v_need);
          v_remaining[j] := v_remaining[j] - v_take;
          v_need := v_need - v_take;
          j := j + 1;
        END LOOP;
        IF v_need <> 0 THEN
          RAISE EXCEPTION 'credit grants changed under the account lock';
        END IF;

        v_balance := v_balance - v_amount;
        v_spendable := v_spendable - v_amount;
        INSERT INTO public.credit_ledger
          (user_id, entry_type, amount, held_delta, balance_after, held_after, operation, idempotency_key, request_hash)
        VALUES
          (p_user_id, 'charge', -v_amount, 0, v_balance, v_held, p_operations[i], p_idempotency_keys[i], p_request_hashes[i])
        RETURNING id INTO v_prev_id;

        -- The notices' thresholds as app.charge_credits checks them after each charge.
        v_left := v_spendable - v_held;
        IF v_granted > 0 AND v_left <= v_granted * 0.2 THEN
          IF v_left <= 0 THEN
            v_empty := true;
          ELSIF v_low_left IS NULL THEN
            v_low_left := v_left;
          END IF;
        END IF;
        RETURN QUERY SELECT 'charged'::text, v_prev_id, v_amount, v_left;
      END LOOP;

      -- Each row once: the grants that gave credits, then the cached balance.
      UPDATE public.credit_grants g SET remaining = u.remaining
        FROM unnest(v_ids, v_remaining, v_start_remaining) AS u(id, remaining, was)
       WHERE g.id = u.id AND u.remaining <> u.was;
      IF v_balance <> v_start_balance THEN
        UPDATE public.credit_accounts SET balance = v_balance WHERE user_id = p_user_id;
      END IF;

      -- Once per allowance (the newest grant re-arms it); the words are app.charge_credits'.
      IF v_low_left IS NOT NULL OR v_empty THEN
        SELECT g.id INTO v_latest FROM public.credit_grants g
         WHERE g.user_id = p_user_id ORDER BY g.created_at DESC, g.id DESC LIMIT 1;
        IF v_low_left IS NOT NULL THEN
          INSERT INTO public.notifications (user_id, kind, title, body, dedupe_key)
          VALUES (p_user_id, 'credits.low', '80% of your credits are used',
                  'You have ' || v_low_left || ' credits left.',
                  'credits-80:' || coalesce(v_latest::text, 'none'))
          ON CONFLICT (user_id, dedupe_key) DO NOTHING;
        END IF;
        IF v_empty THEN
          INSERT INTO public.notifications (user_id, kind, title, body, dedupe_key)
          VALUES (p_user_id, 'credits.empty', 'You have used all your credits',
                  'New generations need credits. Your monthly grant tops you up, or add credits now.',
                  'credits-100:' || coalesce(v_latest::text, 'none'))
          ON CONFLICT (user_id, dedupe_key) DO NOTHING;
        END IF;
      END IF;
    END $$`.execute(db);
  await sql`REVOKE ALL ON FUNCTION app.charge_credits_batch(uuid, text[], integer[], text[], text[]) FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.charge_credits_batch(uuid, text[], integer[], text[], text[]) TO inkwell_user, inkwell_system`.execute(
    db,
  );
}
