/**
 * live-leaderboard: 200 players of one live quiz answer a question at the same moment; measured is how long
 * from a player sending their answer until the host's live view (`study.live.watch`'s stream, in this
 * process) shows it on the leaderboard, p50/p99, over 3 questions (600 answers). The baseline, in the same
 * run and on the same pool: 200 concurrent bare INSERTs of an answer row (autocommit), which is the least an
 * answer can cost.
 *
 *   answer → ack        live.answer: the system-role transaction (player by token, session, insert, score)
 *   answer → host sees  until the host stream yields a view with that player's answer counted
 *   bare insert         INSERT INTO live_answers … (one statement, no checks), 200 at once
 *
 * The host stream re-reads the whole view (200 ranked players, answer counts) after notices; notices that
 * arrive during a read fold into one more read, so 200 answers cost a handful of re-reads, not 200.
 */
import { asSystem, asUser, createDb } from "@inkwell/db";
import { defaultEngine } from "@inkwell/domain/generation";
import { library, live } from "@inkwell/domain/study";
import { sql } from "kysely";
import { percentile } from "../lib/stats.ts";
import type { Suite } from "../lib/suite.ts";
import { ms, num } from "../lib/table.ts";

const PLAYERS = 200;
const QUESTIONS = 3;

const sorted = (xs: number[]) => Float64Array.from(xs).sort();
const p = (xs: number[], q: number) => percentile(sorted(xs), q);

export const liveLeaderboard: Suite = {
  name: "live-leaderboard",
  description: `${PLAYERS} live quiz players answer at once: answer → the host's leaderboard, vs a bare answer INSERT`,
  async run(ctx) {
    const stack = await ctx.stack();
    const bench = createDb({ url: stack.database.url, max: 20, applicationName: "inkwell-bench-live" });
    const deps = { db: bench.db, bus: defaultEngine.bus };
    const stop = new AbortController();
    try {
      const runId = Date.now().toString(36);
      const userId = await asSystem(bench.db, async (tx) => {
        const u = await tx
          .insertInto("users")
          .values({ email: `bench-live-${runId}@example.test`, password_hash: "x" })
          .returning("id")
          .executeTakeFirstOrThrow();
        return u.id;
      });
      const questions = Array.from({ length: QUESTIONS }, (_, i) => ({
        id: `q${i + 1}`,
        kind: "multiple_choice" as const,
        prompt: `Bench question ${i + 1}?`,
        choices: ["A", "B", "C", "D"],
        answerIndex: i % 4,
      }));
      const session = await asUser(bench.db, userId, async (tx) => {
        const item = await library.create(tx, userId, { itemType: "quiz", title: "Bench live quiz", content: { questions } });
        return live.create(tx, userId, { itemId: item.id, questionSeconds: 120 });
      });
      const baseline = await asUser(bench.db, userId, (tx) =>
        live.create(tx, userId, { itemId: session.itemId ?? "", questionSeconds: 120 }),
      );
      const players = [];
      for (let i = 0; i < PLAYERS; i++) {
        const j = await live.join(deps, { code: session.code, nickname: `p${i}` });
        players.push({ id: j.playerId, token: j.token ?? "" });
      }
      const baselinePlayers = await asSystem(bench.db, async (tx) => {
        const { rows } = await sql<{ id: string }>`
          INSERT INTO live_players (session_id, nickname, token_hash)
          SELECT ${baseline.id}::uuid, 'b' || g, sha256(convert_to(${runId} || g, 'UTF8')) FROM generate_series(1, ${PLAYERS}) g
          RETURNING id`.execute(tx);
        return rows.map((r) => r.id);
      });
      ctx.log(`live-leaderboard: ${PLAYERS} players joined`);

      // The host's stream: when each player's answer first shows in a view.
      const seenAt = new Map<string, number>();
      let views = 0;
      const stream = await live.watch(deps, userId, session.id, { signal: stop.signal, maxMs: 30 * 60_000 });
      let wanted = 0;
      let allSeen: () => void = () => undefined;
      const following = (async () => {
        for await (const view of stream) {
          views++;
          let shown = 0;
          for (const pl of view.players) {
            if (!pl.answeredCurrent) continue;
            shown++;
            if (!seenAt.has(`${view.questionIndex}:${pl.playerId}`))
              seenAt.set(`${view.questionIndex}:${pl.playerId}`, performance.now());
          }
          if (view.status === "question" && shown >= wanted) allSeen();
        }
      })();

      const ack: number[] = [];
      const seen: number[] = [];
      const bare: number[] = [];
      for (let q = 0; q < QUESTIONS; q++) {
        // Baseline first: the same concurrency, one INSERT each.
        const bareTimes = await Promise.all(
          baselinePlayers.map(async (playerId) => {
            const t0 = performance.now();
            await sql`INSERT INTO live_answers (session_id, player_id, question_index, choice, correct, points, elapsed_ms)
                      VALUES (${baseline.id}::uuid, ${playerId}::uuid, ${q}, 0, false, 0, 0)`.execute(bench.db);
            return performance.now() - t0;
          }),
        );
        bare.push(...bareTimes);

        await live.next(deps, userId, session.id);
        wanted = PLAYERS;
        const done = new Promise<void>((resolve) => {
          allSeen = resolve;
        });
        const sentAt = new Map<string, number>();
        const acks = await Promise.all(
          players.map(async (pl, i) => {
            const t0 = performance.now();
            sentAt.set(pl.id, t0);
            await live.answer(deps, { sessionId: session.id, token: pl.token, questionIndex: q, choice: i % 4 });
            return performance.now() - t0;
          }),
        );
        ack.push(...acks);
        await Promise.race([done, new Promise((r) => setTimeout(r, 30_000))]);
        for (const pl of players) {
          const at = seenAt.get(`${q}:${pl.id}`);
          const t0 = sentAt.get(pl.id);
          if (at !== undefined && t0 !== undefined) seen.push(at - t0);
        }
        wanted = Number.POSITIVE_INFINITY;
        await live.next(deps, userId, session.id); // reveal
      }
      await live.end(deps, userId, session.id);
      stop.abort();
      await following.catch(() => undefined);

      const rows = [
        ["bare answer INSERT (baseline): p50 / p99", `${ms(p(bare, 50))} / ${ms(p(bare, 99))} ms`, `${bare.length} inserts`],
        [
          "answer → ack: p50 / p99",
          `${ms(p(ack, 50))} / ${ms(p(ack, 99))} ms`,
          `${num(p(ack, 50) / p(bare, 50), 1)}× the baseline p50`,
        ],
        [
          "answer → host leaderboard: p50 / p99",
          `${ms(p(seen, 50))} / ${ms(p(seen, 99))} ms`,
          `${seen.length}/${PLAYERS * QUESTIONS} seen; ${num(p(seen, 99) / p(bare, 99), 1)}× the baseline p99`,
        ],
        ["host view re-reads", num(views), `for ${PLAYERS * QUESTIONS} answers and ${QUESTIONS * 2 + 1} host steps`],
      ];
      return {
        suite: this.name,
        description: this.description,
        plan: { concurrency: PLAYERS, warmupMs: 0, roundMs: 0, rounds: QUESTIONS, maxOpsPerRound: PLAYERS },
        variants: [],
        ratios: [],
        notes: [
          `${PLAYERS} players send their answers at once through live.answer on a pool of 20 connections; the host's stream is live.watch in this process (the bus's in-process delivery; other API processes get NOTIFY).`,
          `Bus notices ${defaultEngine.bus.listening ? "arrive from Postgres (LISTEN) too" : "are in-process only (the embedded database delivers none)"}.`,
        ],
        tables: [{ title: "live-leaderboard: answer latency", headers: ["measure", "value", "note"], rows }],
      };
    } finally {
      stop.abort();
      await bench.db.destroy();
    }
  },
};
