import { type Kysely, sql } from "kysely";

/**
 * Metering in one call each, beside app.charge_credits (0035): a credit hold, its capture, its release,
 * a generation's start (hold + the `running` generation row) and the rate limit were each several
 * statements from the services (the hold six, the rate limit five inside its transaction), every one a
 * round trip on the way to the provider's request. Same rules, same statements, same order as the
 * services had; see credits.service.ts and usage.service.ts for what each outcome becomes.
 *
 * SECURITY INVOKER on purpose (as 0035): each runs as the caller's role, so the tables' row-level
 * security still decides whose rows it may touch: as the user only their own account and holds (another
 * user's hold is simply not found); the rate-limit log is the system role's only. VOLATILE plpgsql at
 * READ COMMITTED: every statement after a lock takes a new snapshot, so it sees what the lock's previous
 * holder committed. Refusals come back as outcome rows, not errors, so the service builds its domain
 * errors with the figures the web shows and a one-message caller can still COMMIT.
 *
 * `#variable_conflict use_column`: the outcome columns (amount, status, hold_id, bucket…) share names
 * with table columns; inside queries a name is always the column (the functions read and write their
 * own variables with a v_/p_ prefix).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // A hold: lock the account, replay or refuse a reused key, check what is spendable (unexpired grants
  // less what is already held), insert the hold, move the cached held amount, append the ledger entry.
  await sql`
    CREATE FUNCTION app.hold_credits(
      p_user_id uuid, p_operation text, p_amount integer, p_idempotency_key text, p_request_hash text,
      p_ttl_seconds integer)
    RETURNS TABLE (outcome text, hold_id uuid, amount integer, status text, available integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
    #variable_conflict use_column
    DECLARE
      v_balance integer;
      v_held integer;
      v_prev_id uuid;
      v_prev_amount integer;
      v_prev_status text;
      v_prev_hash text;
      v_spendable integer;
      v_id uuid;
    BEGIN
      IF p_amount IS NULL OR p_amount <= 0 THEN
        RAISE EXCEPTION 'a hold must be a positive number of credits' USING ERRCODE = 'invalid_parameter_value';
      END IF;

      -- Serialises every credit change of this user (charges and the other paths lock the same row).
      SELECT a.balance, a.held INTO v_balance, v_held
        FROM public.credit_accounts a WHERE a.user_id = p_user_id FOR UPDATE;
      IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_account'::text, NULL::uuid, 0, NULL::text, 0;
        RETURN;
      END IF;

      -- The same key and request is the same hold (whatever became of it); a different request is refused.
      SELECT h.id, h.amount, h.status, h.request_hash INTO v_prev_id, v_prev_amount, v_prev_status, v_prev_hash
        FROM public.credit_holds h WHERE h.user_id = p_user_id AND h.idempotency_key = p_idempotency_key;
      IF FOUND THEN
        IF v_prev_hash IS DISTINCT FROM p_request_hash THEN
          RETURN QUERY SELECT 'conflict'::text, NULL::uuid, 0, NULL::text, 0;
        ELSE
          RETURN QUERY SELECT 'replayed'::text, v_prev_id, v_prev_amount, v_prev_status, 0;
        END IF;
        RETURN;
      END IF;

      SELECT coalesce(sum(g.remaining), 0)::int INTO v_spendable
        FROM public.credit_grants g
       WHERE g.user_id = p_user_id AND g.remaining > 0 AND (g.expires_at IS NULL OR g.expires_at > now());
      IF v_spendable - v_held < p_amount THEN
        RETURN QUERY SELECT 'insufficient'::text, NULL::uuid, 0, NULL::text, v_spendable - v_held;
        RETURN;
      END IF;

      INSERT INTO public.credit_holds (user_id, operation, amount, idempotency_key, request_hash, expires_at)
      VALUES (p_user_id, p_operation, p_amount, p_idempotency_key, p_request_hash,
              now() + make_interval(secs => p_ttl_seconds))
      RETURNING id INTO v_id;
      UPDATE public.credit_accounts SET held = v_held + p_amount WHERE user_id = p_user_id;
      INSERT INTO public.credit_ledger
        (user_id, entry_type, amount, held_delta, balance_after, held_after, operation, hold_id)
      VALUES (p_user_id, 'hold', 0, p_amount, v_balance, v_held + p_amount, p_operation, v_id);

      RETURN QUERY SELECT 'held'::text, v_id, p_amount, 'held'::text, v_spendable - v_held - p_amount;
    END $$`.execute(db);

  // A capture: what was used (0..the hold) is taken from the grants in spending order (expired ones
  // too: the credits were set aside when the hold was made), the hold settles, the ledger records it,
  // and the 80% / 100% alert is left as a charge leaves it. A captured hold answers its first capture.
  // p_used outside 0..amount (the service sends -1 for a non-integer) is 'invalid' after the status
  // checks, as in the service before.
  await sql`
    CREATE FUNCTION app.capture_credits(p_user_id uuid, p_hold_id uuid, p_used integer)
    RETURNS TABLE (outcome text, captured integer, amount integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
    #variable_conflict use_column
    DECLARE
      v_balance integer;
      v_held integer;
      v_hold_user uuid;
      v_hold_amount integer;
      v_hold_status text;
      v_hold_captured integer;
      v_operation text;
      v_taken integer;
      v_available integer;
      v_granted integer;
      v_latest uuid;
    BEGIN
      SELECT a.balance, a.held INTO v_balance, v_held
        FROM public.credit_accounts a WHERE a.user_id = p_user_id FOR UPDATE;
      IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_account'::text, 0, 0;
        RETURN;
      END IF;
      SELECT h.user_id, h.amount, h.status, h.captured, h.operation
        INTO v_hold_user, v_hold_amount, v_hold_status, v_hold_captured, v_operation
        FROM public.credit_holds h WHERE h.id = p_hold_id FOR UPDATE;
      IF NOT FOUND OR v_hold_user <> p_user_id THEN
        RETURN QUERY SELECT 'not_found'::text, 0, 0;
        RETURN;
      END IF;
      IF v_hold_status = 'captured' THEN
        RETURN QUERY SELECT 'replayed'::text, coalesce(v_hold_captured, 0), v_hold_amount;
        RETURN;
      END IF;
      IF v_hold_status = 'released' THEN
        RETURN QUERY SELECT 'released'::text, 0, v_hold_amount;
        RETURN;
      END IF;
      IF p_used IS NULL OR p_used < 0 OR p_used > v_hold_amount THEN
        RETURN QUERY SELECT 'invalid'::text, 0, v_hold_amount;
        RETURN;
      END IF;

      WITH ordered AS (
        SELECT g.id, g.remaining,
               sum(g.remaining) OVER (ORDER BY g.paid, g.expires_at NULLS LAST, g.created_at, g.id) AS running
          FROM public.credit_grants g
         WHERE g.user_id = p_user_id AND g.remaining > 0
      ), take AS (
        SELECT o.id, least(o.remaining, p_used - (o.running - o.remaining))::int AS taken
          FROM ordered o WHERE o.running - o.remaining < p_used
      ), done AS (
        UPDATE public.credit_grants g SET remaining = g.remaining - take.taken
          FROM take WHERE g.id = take.id
        RETURNING take.taken
      )
      SELECT coalesce(sum(done.taken), 0)::int INTO v_taken FROM done;
      IF v_taken <> p_used THEN
        RAISE EXCEPTION 'credit grants cannot cover a hold';
      END IF;

      UPDATE public.credit_holds SET status = 'captured', captured = p_used WHERE id = p_hold_id;
      UPDATE public.credit_accounts SET balance = v_balance - p_used, held = v_held - v_hold_amount
       WHERE user_id = p_user_id;
      INSERT INTO public.credit_ledger
        (user_id, entry_type, amount, held_delta, balance_after, held_after, operation, hold_id)
      VALUES (p_user_id, 'capture', -p_used, -v_hold_amount, v_balance - p_used, v_held - v_hold_amount,
              v_operation, p_hold_id);

      -- Once per allowance (the newest grant re-arms it), as app.charge_credits: at 80% spent, and when
      -- nothing is left. Only when something was taken.
      IF p_used > 0 THEN
        SELECT coalesce(sum(g.remaining) FILTER (WHERE g.remaining > 0), 0)::int, coalesce(sum(g.amount), 0)::int
          INTO v_available, v_granted
          FROM public.credit_grants g
         WHERE g.user_id = p_user_id AND (g.expires_at IS NULL OR g.expires_at > now());
        v_available := v_available - (v_held - v_hold_amount);
        IF v_granted > 0 AND v_available <= v_granted * 0.2 THEN
          SELECT g.id INTO v_latest FROM public.credit_grants g
           WHERE g.user_id = p_user_id ORDER BY g.created_at DESC, g.id DESC LIMIT 1;
          IF v_available <= 0 THEN
            INSERT INTO public.notifications (user_id, kind, title, body, dedupe_key)
            VALUES (p_user_id, 'credits.empty', 'You have used all your credits',
                    'New generations need credits. Your monthly grant tops you up, or add credits now.',
                    'credits-100:' || coalesce(v_latest::text, 'none'))
            ON CONFLICT (user_id, dedupe_key) DO NOTHING;
          ELSE
            INSERT INTO public.notifications (user_id, kind, title, body, dedupe_key)
            VALUES (p_user_id, 'credits.low', '80% of your credits are used',
                    'You have ' || v_available || ' credits left.',
                    'credits-80:' || coalesce(v_latest::text, 'none'))
            ON CONFLICT (user_id, dedupe_key) DO NOTHING;
          END IF;
        END IF;
      END IF;

      RETURN QUERY SELECT 'captured'::text, p_used, v_hold_amount;
    END $$`.execute(db);

  // A release: the hold's credits go back to available; a released hold answers as released again.
  await sql`
    CREATE FUNCTION app.release_credits(p_user_id uuid, p_hold_id uuid, p_note text)
    RETURNS TABLE (outcome text)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
    #variable_conflict use_column
    DECLARE
      v_balance integer;
      v_held integer;
      v_hold_user uuid;
      v_hold_amount integer;
      v_hold_status text;
      v_operation text;
    BEGIN
      SELECT a.balance, a.held INTO v_balance, v_held
        FROM public.credit_accounts a WHERE a.user_id = p_user_id FOR UPDATE;
      IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_account'::text;
        RETURN;
      END IF;
      SELECT h.user_id, h.amount, h.status, h.operation INTO v_hold_user, v_hold_amount, v_hold_status, v_operation
        FROM public.credit_holds h WHERE h.id = p_hold_id FOR UPDATE;
      IF NOT FOUND OR v_hold_user <> p_user_id THEN
        RETURN QUERY SELECT 'not_found'::text;
        RETURN;
      END IF;
      IF v_hold_status = 'released' THEN
        RETURN QUERY SELECT 'replayed'::text;
        RETURN;
      END IF;
      IF v_hold_status = 'captured' THEN
        RETURN QUERY SELECT 'captured'::text;
        RETURN;
      END IF;

      UPDATE public.credit_holds SET status = 'released', captured = NULL WHERE id = p_hold_id;
      UPDATE public.credit_accounts SET held = v_held - v_hold_amount WHERE user_id = p_user_id;
      INSERT INTO public.credit_ledger
        (user_id, entry_type, amount, held_delta, balance_after, held_after, operation, hold_id, note)
      VALUES (p_user_id, 'release', 0, -v_hold_amount, v_balance, v_held - v_hold_amount, v_operation, p_hold_id, p_note);

      RETURN QUERY SELECT 'released'::text;
    END $$`.execute(db);

  // A metered call's start (usage.runMetered): the hold when the call costs anything, then the
  // `running` generation row pointing at it; nothing is written when the hold is refused or replayed.
  await sql`
    CREATE FUNCTION app.start_generation(
      p_user_id uuid, p_operation text, p_topic text, p_provider text,
      p_amount integer, p_idempotency_key text, p_request_hash text, p_ttl_seconds integer)
    RETURNS TABLE (outcome text, hold_id uuid, amount integer, status text, available integer, generation_id uuid)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
    #variable_conflict use_column
    DECLARE
      v_outcome text := 'free';
      v_hold_id uuid;
      v_amount integer := 0;
      v_status text;
      v_available integer := 0;
      v_id uuid;
    BEGIN
      IF p_amount > 0 THEN
        SELECT r.outcome, r.hold_id, r.amount, r.status, r.available
          INTO v_outcome, v_hold_id, v_amount, v_status, v_available
          FROM app.hold_credits(p_user_id, p_operation, p_amount, p_idempotency_key, p_request_hash, p_ttl_seconds) r;
        IF v_outcome <> 'held' THEN
          RETURN QUERY SELECT v_outcome, v_hold_id, v_amount, v_status, v_available, NULL::uuid;
          RETURN;
        END IF;
      END IF;
      INSERT INTO public.generations (user_id, operation, topic, provider, hold_id)
      VALUES (p_user_id, p_operation, p_topic, p_provider, v_hold_id)
      RETURNING id INTO v_id;
      RETURN QUERY SELECT v_outcome, v_hold_id, v_amount, v_status, v_available, v_id;
    END $$`.execute(db);

  // The rate limit: every bucket's advisory lock in the order given (the service sorts them, so two
  // callers cannot deadlock), then each bucket counted over its window; only if all have room is one
  // start recorded in each. All or nothing: exactly `limit` starts per window, however many arrive.
  await sql`
    CREATE FUNCTION app.take_rate_limit(p_user_id uuid, p_buckets text[], p_limits integer[], p_windows integer[])
    RETURNS TABLE (outcome text, bucket text, oldest timestamptz, window_seconds integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
    #variable_conflict use_column
    DECLARE
      v_n integer;
      v_oldest timestamptz;
    BEGIN
      IF cardinality(p_buckets) IS DISTINCT FROM cardinality(p_limits)
         OR cardinality(p_buckets) IS DISTINCT FROM cardinality(p_windows) THEN
        RAISE EXCEPTION 'one limit and one window per bucket' USING ERRCODE = 'invalid_parameter_value';
      END IF;
      FOR i IN 1 .. coalesce(cardinality(p_buckets), 0) LOOP
        PERFORM pg_advisory_xact_lock(hashtextextended('rate:' || p_buckets[i], 0));
      END LOOP;
      FOR i IN 1 .. coalesce(cardinality(p_buckets), 0) LOOP
        SELECT count(*)::int, min(r.created_at) INTO v_n, v_oldest
          FROM public.generation_rate_limits r
         WHERE r.bucket = p_buckets[i] AND r.created_at > now() - make_interval(secs => p_windows[i]);
        IF v_n >= p_limits[i] THEN
          RETURN QUERY SELECT 'limited'::text, p_buckets[i], v_oldest, p_windows[i];
          RETURN;
        END IF;
      END LOOP;
      INSERT INTO public.generation_rate_limits (bucket, user_id) SELECT u.b, p_user_id FROM unnest(p_buckets) AS u(b);
      RETURN QUERY SELECT 'taken'::text, NULL::text, NULL::timestamptz, NULL::integer;
    END $$`.execute(db);

  for (const signature of [
    "app.hold_credits(uuid, text, integer, text, text, integer)",
    "app.capture_credits(uuid, uuid, integer)",
    "app.release_credits(uuid, uuid, text)",
    "app.start_generation(uuid, text, text, text, integer, text, text, integer)",
  ]) {
    await sql.raw(`REVOKE ALL ON FUNCTION ${signature} FROM PUBLIC`).execute(db);
    await sql.raw(`GRANT EXECUTE ON FUNCTION ${signature} TO inkwell_user, inkwell_system`).execute(db);
  }
  // Per-IP buckets span users: only the system role counts them (the log's RLS allows no one else).
  await sql`REVOKE ALL ON FUNCTION app.take_rate_limit(uuid, text[], integer[], integer[]) FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.take_rate_limit(uuid, text[], integer[], integer[]) TO inkwell_system`.execute(db);
}
