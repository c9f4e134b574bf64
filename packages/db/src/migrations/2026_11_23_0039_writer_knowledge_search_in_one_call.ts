import { type Kysely, sql } from "kysely";

/**
 * Knowledge search in one round trip, on a half-precision index.
 *
 * - The HNSW index is rebuilt over `embedding::halfvec(1536)` (halfvec_cosine_ops; m 16, ef_construction
 *   128 as in 0017): each element is 3 KB instead of 6 KB, so the index is half the pages (a search
 *   touches ~1,500 of them at 100k entries; at full precision the 781 MB index did not fit a default
 *   `shared_buffers`) and builds in about half the time. The stored vectors stay full precision: the
 *   few candidates the index returns are re-ranked by their exact distance.
 * - `app.knowledge_nearest` runs what took three statements from the app (count the user's entries,
 *   set the scan settings, the query, put the settings back): up to `p_exact_max` entries (or when
 *   asked) the exact query (full-precision ORDER BY, which no index serves: the user index + sort),
 *   above it the ANN query, which only the halfvec index can order. `enable_sort` and `jit` are off
 *   for the function's duration (the planner does not cost detoasting a 6 KB vector per row and would
 *   pick a sequential scan + sort; a disabled sort's cost would trigger ~0.7 s of JIT compilation);
 *   they are put back when it returns. SECURITY INVOKER: it runs as the caller, under RLS.
 * - `app.knowledge_keyword_candidates` is the full-text side for the user of the transaction
 *   (`app.user_id`, set by the trusted wrapper, as every policy reads it). SECURITY DEFINER, owned by
 *   the system role: under RLS the GIN index cannot serve `@@` (not leakproof, so the policy's qual
 *   runs first and the search scans all the user's rows), and so far it took a transaction of its own
 *   as the system role. It returns only ids and ranks of the caller's own entries; the entries are read
 *   as the user, under RLS.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX knowledge_entries_embedding_idx`.execute(db);
  await sql`CREATE INDEX knowledge_entries_embedding_idx ON knowledge_entries
              USING hnsw ((embedding::halfvec(1536)) halfvec_cosine_ops) WITH (m = 16, ef_construction = 128)`.execute(db);

  await sql`
    CREATE FUNCTION app.knowledge_nearest(p_user uuid, p_embedding vector, p_limit integer, p_ef_search integer,
                                          p_iterative text, p_exact_max integer, p_exact boolean)
    RETURNS TABLE (id uuid, distance double precision)
    LANGUAGE plpgsql STABLE SECURITY INVOKER
    SET search_path = pg_catalog, public, pg_temp
    SET enable_sort = off
    SET jit = off
    AS $$
    DECLARE
      n integer;
      old_ef text := current_setting('hnsw.ef_search', true);
      old_iterative text := current_setting('hnsw.iterative_scan', true);
    BEGIN
      IF NOT p_exact THEN
        SELECT count(*) INTO n
          FROM (SELECT 1 FROM knowledge_entries e WHERE e.user_id = p_user LIMIT p_exact_max + 1) mine;
      END IF;
      IF p_exact OR n <= p_exact_max THEN
        -- Every distance computed at full precision: complete and exact (the only path is a sort).
        RETURN QUERY
          SELECT e.id, (e.embedding <=> p_embedding)::double precision AS d
            FROM knowledge_entries e
           WHERE e.user_id = p_user AND e.embedding IS NOT NULL
           ORDER BY d, e.id
           LIMIT p_limit;
        RETURN;
      END IF;
      PERFORM set_config('hnsw.ef_search', p_ef_search::text, true),
              set_config('hnsw.iterative_scan', p_iterative, true);
      -- relaxed_order may return slightly out of order, and the halfvec distance is approximate: the
      -- candidates are re-ranked by their exact distance.
      RETURN QUERY
        SELECT c.id, (c.embedding <=> p_embedding)::double precision AS d
          FROM (SELECT e.id, e.embedding
                  FROM knowledge_entries e
                 WHERE e.user_id = p_user AND e.embedding IS NOT NULL
                 ORDER BY e.embedding::halfvec(1536) <=> p_embedding::halfvec(1536)
                 LIMIT p_limit) c
         ORDER BY d, c.id;
      PERFORM set_config('hnsw.ef_search', coalesce(old_ef, '40'), true),
              set_config('hnsw.iterative_scan', coalesce(old_iterative, 'off'), true);
    END $$`.execute(db);
  await sql`REVOKE ALL ON FUNCTION app.knowledge_nearest(uuid, vector, integer, integer, text, integer, boolean) FROM PUBLIC`.execute(
    db,
  );
  await sql`GRANT EXECUTE ON FUNCTION app.knowledge_nearest(uuid, vector, integer, integer, text, integer, boolean) TO inkwell_user`.execute(
    db,
  );

  await sql`
    CREATE FUNCTION app.knowledge_keyword_candidates(p_tsquery text, p_limit integer, p_rank_max integer)
    RETURNS TABLE (id uuid, rank real)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
      SELECT m.id, ts_rank_cd(m.search_tsv, m.q) AS rank
        FROM (SELECT e.id, e.search_tsv, q
                FROM public.knowledge_entries e, to_tsquery('english', p_tsquery) q
               WHERE e.user_id = app.current_user_id() AND e.search_tsv @@ q
               LIMIT p_rank_max) m
       ORDER BY rank DESC, m.id
       LIMIT p_limit
    $$`.execute(db);
  await sql`ALTER FUNCTION app.knowledge_keyword_candidates(text, integer, integer) OWNER TO inkwell_system`.execute(db);
  await sql`REVOKE ALL ON FUNCTION app.knowledge_keyword_candidates(text, integer, integer) FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.knowledge_keyword_candidates(text, integer, integer) TO inkwell_user`.execute(db);
}
