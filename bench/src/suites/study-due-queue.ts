/**
 * study-due-queue: the flashcard due queue (`study.review.due`) for one heavy reviewer — 100,000 card
 * states over 1,000 sets of 100 cards and 1,000,000 review log rows (native; 10,000 and 100,000 on the
 * embedded database, said so in the output), loaded with generate_series INSERTs (as
 * the database owner), half the cards due (spread over the last 60 days), half ahead. Variants, each in the
 * user's RLS transaction (asUser), interleaved:
 *
 *   due-service   review.due({ limit: 20 }): the 20 most overdue cards with their text and four FSRS
 *                 previews each, the due count, new cards up to the daily limit (the whole procedure)
 *   due-query     the queue's own SELECT (captured from review.due): due states in order on the
 *                 (user_id, due) index, joined to their set and the card's text
 *   stats         review.stats(): due counts, new cards left today (reads every set), streaks over 1M logs
 *   indexed-scan  the baseline: SELECT * FROM study_card_states WHERE user_id = me AND due <= now
 *                 ORDER BY due LIMIT 20 (the index alone, no join)
 *
 * The EXPLAIN (ANALYZE) of the captured queue query is printed, to show the index scan and the early stop
 * at the limit. Env: BENCH_STUDY_CARDS (100000 native, 10000 embedded), BENCH_STUDY_LOGS_PER_CARD (10).
 */
import { asSystem, asUser, createDb, type Database, type DB, type Tx } from "@inkwell/db";
import { review } from "@inkwell/domain/study";
import { CompiledQuery, Kysely, PostgresDialect, sql } from "kysely";
import type pg from "pg";
import { closedLoop } from "../lib/load.ts";
import { planFor, type RatioSpec, ratios, runInterleaved, type Variant } from "../lib/runner.ts";
import type { Suite } from "../lib/suite.ts";
import { num, times } from "../lib/table.ts";

const CARDS_PER_SET = 100;
const LIMIT = 20;

const RATIOS: RatioSpec[] = [
  { name: "due-query/indexed-scan", a: "due-query", b: "indexed-scan", note: "the join to the set and card text" },
  { name: "due-service/indexed-scan", a: "due-service", b: "indexed-scan", note: "the whole procedure over the bare index read" },
  { name: "due-service/due-query", a: "due-service", b: "due-query", note: "counts, new cards and previews" },
];

/** The statements (and parameters) review.due sends, captured by a fake pg client: the first is the queue. */
async function captureQueries(fn: (db: Database) => Promise<unknown>): Promise<{ text: string; values: unknown[] }[]> {
  const captured: { text: string; values: unknown[] }[] = [];
  const client = {
    query: async (text: string, values?: unknown[]) => {
      captured.push({ text, values: values ?? [] });
      return { rows: [], command: "SELECT", rowCount: 0 };
    },
    release() {},
  };
  const pool = { connect: async () => client, end: async () => {} };
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }) });
  await fn(db).catch(() => {});
  await db.destroy();
  return captured;
}

export const studyDueQueue: Suite = {
  name: "study-due-queue",
  description: "flashcard due queue for one user with 100k card states and 1M review logs vs a bare indexed scan",
  // Loading 1.1M rows and their indexes takes a minute or more on a busy machine.
  minSeconds: 240,
  async run(ctx) {
    const stack = await ctx.stack();
    const native = stack.database.kind === "native";
    const cards = Number(process.env.BENCH_STUDY_CARDS ?? (native ? 100_000 : 10_000));
    const logsPerCard = Number(process.env.BENCH_STUDY_LOGS_PER_CARD ?? 10);
    const sets = Math.max(1, Math.ceil(cards / CARDS_PER_SET));
    const bench = createDb({ url: stack.database.url, max: 10, applicationName: "inkwell-bench-study" });
    try {
      const runId = Date.now().toString(36);
      const userId = await asSystem(bench.db, async (tx) => {
        const u = await tx
          .insertInto("users")
          .values({ email: `bench-study-${runId}@example.test`, password_hash: "x" })
          .returning("id")
          .executeTakeFirstOrThrow();
        return u.id;
      });

      const loadStart = performance.now();
      // Loaded over the bench's own connection (the database owner, which row security does not bind):
      // as the user, every row's policy check (the card state's readable-item subquery) made the load of
      // 1.1M rows take minutes on a shared machine. The reads below all run as the user.
      await bench.db.transaction().execute(async (tx) => {
        await sql`
          INSERT INTO study_items (user_id, item_type, title, content)
          SELECT ${userId}, 'flashcard', 'Bench set ' || g,
                 jsonb_build_object('cards', (
                   SELECT jsonb_agg(jsonb_build_object('id', 'c-' || c, 'front', 'Front ' || g || '.' || c, 'back', 'Back ' || c))
                   FROM generate_series(1, ${CARDS_PER_SET}) c))
          FROM generate_series(1, ${sets}) g`.execute(tx);
        // Half the cards overdue by up to 60 days, half due in the next 60 days: a heavy backlog.
        await sql`
          INSERT INTO study_card_states (user_id, item_id, card_id, due, stability, difficulty, scheduled_days, reps, state, last_review)
          SELECT ${userId}, i.id, 'c-' || c,
                 now() + ((random() * 120 - 60) * interval '1 day'),
                 1 + random() * 50, 1 + random() * 9, (random() * 30)::int, 1 + (random() * 10)::int, 2,
                 now() - interval '61 days'
          FROM study_items i CROSS JOIN generate_series(1, ${CARDS_PER_SET}) c
          WHERE i.user_id = ${userId}
          LIMIT ${cards}`.execute(tx);
        await sql`
          INSERT INTO study_review_logs (user_id, item_id, card_id, session_id, review_index, rating, state, state_after,
                                         due, stability, difficulty, elapsed_days, scheduled_days, reviewed_at, duration_ms)
          SELECT ${userId}, s.item_id, s.card_id, gen_random_uuid(), 0, 1 + (random() * 3)::int, 2, 2,
                 s.due, s.stability, s.difficulty, k, k, now() - (k * interval '6 days') - (random() * interval '1 day'),
                 (random() * 20000)::int
          FROM study_card_states s CROSS JOIN generate_series(1, ${logsPerCard}) k
          WHERE s.user_id = ${userId}`.execute(tx);
      });
      await sql`ANALYZE study_items, study_card_states, study_review_logs`.execute(bench.db).catch(() => {});
      const loadMs = performance.now() - loadStart;
      const counts = await asUser(bench.db, userId, async (tx) => {
        const r = await sql<{ states: number; logs: number; due: number }>`
          SELECT (SELECT count(*)::int FROM study_card_states) AS states,
                 (SELECT count(*)::int FROM study_review_logs) AS logs,
                 (SELECT count(*)::int FROM study_card_states WHERE due <= now()) AS due`.execute(tx);
        return r.rows[0] ?? { states: 0, logs: 0, due: 0 };
      });
      ctx.log(`study-due-queue: ${num(counts.states)} card states, ${num(counts.logs)} logs loaded in ${num(loadMs / 1000)} s`);

      const capturedAt = Date.now();
      const [queue] = await captureQueries((db) => review.due(db as Tx, { now: new Date(capturedAt), limit: LIMIT }));
      if (!queue) throw new Error("could not capture the due-queue query");
      // The captured parameters carry the capture's clock; a fresh `now` per call keeps the work equal.
      const runQueue = (tx: Tx) => {
        const shift = Date.now() - capturedAt;
        const values = queue.values.map((v) => (v instanceof Date ? new Date(v.getTime() + shift) : v));
        return tx.executeQuery(CompiledQuery.raw(queue.text, values));
      };
      const explain = await asUser(bench.db, userId, (tx) =>
        tx.executeQuery<{ "QUERY PLAN": string }>(CompiledQuery.raw(`EXPLAIN (ANALYZE, COSTS OFF) ${queue.text}`, queue.values)),
      );
      const plan = explain.rows.map((r) => r["QUERY PLAN"]);

      const probe = await asUser(bench.db, userId, (tx) => review.due(tx, { now: new Date(), limit: LIMIT }));
      if (probe.cards.length !== LIMIT) throw new Error(`due returned ${probe.cards.length} cards, expected ${LIMIT}`);
      const dues = probe.cards.map((c) => c.due ?? "");
      if ([...dues].sort().join() !== dues.join()) throw new Error("the due queue is not most-overdue-first");

      const variants: Variant[] = [
        {
          name: "due-service",
          description: `review.due({ limit: ${LIMIT} }) in asUser`,
          run: (l) => closedLoop(l, () => asUser(bench.db, userId, (tx) => review.due(tx, { now: new Date(), limit: LIMIT }))),
        },
        {
          name: "due-query",
          description: "the queue's SELECT (index order, join, card text)",
          run: (l) => closedLoop(l, () => asUser(bench.db, userId, runQueue)),
        },
        {
          name: "stats",
          description: "review.stats(): counts, new cards left today, streaks over the log",
          run: (l) => closedLoop(l, () => asUser(bench.db, userId, (tx) => review.stats(tx, { now: new Date() }))),
        },
        {
          name: "indexed-scan",
          description: `SELECT * ... WHERE user_id AND due <= now ORDER BY due LIMIT ${LIMIT}`,
          run: (l) =>
            closedLoop(l, () =>
              asUser(bench.db, userId, (tx) =>
                tx
                  .selectFrom("study_card_states")
                  .selectAll()
                  .where("user_id", "=", userId)
                  .where("due", "<=", new Date())
                  .orderBy("due")
                  .limit(LIMIT)
                  .execute(),
              ),
            ),
        },
      ];
      const count = ctx.only ? variants.filter((v) => ctx.only?.includes(v.name)).length : variants.length;
      const runPlan = planFor(ctx.budgetMs(), Math.max(1, count), {
        concurrency: Math.min(ctx.concurrency, 8),
        roundMs: ctx.roundMs,
        maxOpsPerRound: ctx.maxOpsPerRound,
      });
      const results = await runInterleaved(variants, runPlan, { ...ctx, meters: stack.meters });
      const base = results.find((r) => r.name === "indexed-scan");
      const rows = results.map((r) => [
        r.name,
        `${num(r.latency.p50)} ms`,
        `${num(r.latency.p99)} ms`,
        base ? times(r.latency.p50 / base.latency.p50) : "",
        base ? times(r.latency.p99 / base.latency.p99) : "",
      ]);
      const usesIndex = plan.some((line) => line.includes("study_card_states_user_due_idx"));
      return {
        suite: this.name,
        description: this.description,
        plan: runPlan,
        variants: results,
        ratios: ratios(results, RATIOS),
        tables: [
          {
            title: "study-due-queue: latency against the bare indexed scan of this run",
            headers: ["variant", "p50", "p99", "p50 vs scan", "p99 vs scan"],
            rows,
          },
          {
            title: `study-due-queue: EXPLAIN ANALYZE of the queue query (${usesIndex ? "uses" : "DOES NOT USE"} study_card_states_user_due_idx)`,
            headers: ["plan"],
            rows: plan.map((line) => [line]),
          },
        ],
        notes: [
          `One user: ${num(counts.states)} card states in ${num(sets)} sets of ${CARDS_PER_SET}, ${num(counts.logs)} review logs, ${num(counts.due)} due now; loaded in ${num(loadMs / 1000)} s with generate_series INSERTs.`,
          native
            ? "Native Postgres."
            : "Embedded database (PGlite): 10k states and 100k logs by default, not 100k/1M (the load would take minutes); run with DATABASE_URL for the full size.",
          `Concurrency ${runPlan.concurrency}; every variant runs in the user's RLS transaction (asUser).`,
        ],
      };
    } finally {
      await bench.db.destroy();
    }
  },
};
