/**
 * rls-read: one protected read of one row by id under row-level security, as `profile.get` does it,
 * peeled layer by layer:
 *
 *   trpc        GET /trpc/profile.get on the real API (Hono → the direct query path → asSession → Kysely)
 *   trpc-adapter the same app on the same deps with every call through tRPC's fetch adapter (the path
 *               before the direct query path, apps/api/src/http/trpc-query.ts)
 *   hono        a plain Hono handler on a second server: asSession + identity.getMe, no tRPC
 *   as-session  no HTTP: asSession + identity.getMe called in-process (Kysely, the RLS wrapper)
 *   raw-pg      no HTTP, no Kysely: the same transaction by hand through pg (one-trip setup, SELECT, COMMIT)
 *   split-rls   raw pg, raw-pg's very statements but each in its own round trip (five trips, same SQL work)
 *   naive-rls   raw pg, the naive wrapper: BEGIN / set_config / SET LOCAL ROLE / SELECT / COMMIT, five trips
 *               (it knows the user id, so it skips the session lookup)
 *   pg-ping     the floor: check out a connection, SELECT 1 (one round trip, no transaction), release
 */

import os from "node:os";
import { createApp } from "@inkwell/api";
import { asSession, createDb, type Database, type DB, type Tx, USER_ROLE } from "@inkwell/db";
import { identity } from "@inkwell/domain/identity";
import { hashToken } from "@inkwell/domain/platform";
import { Hono } from "hono";
import { Kysely, PostgresDialect } from "kysely";
import type pg from "pg";
import type { HttpTarget } from "../lib/http-client.ts";
import { closedLoop } from "../lib/load.ts";
import { planFor, type RatioSpec, ratios, runInterleaved, type Variant } from "../lib/runner.ts";
import type { BenchUser } from "../lib/stack.ts";
import type { Suite } from "../lib/suite.ts";
import { num, times } from "../lib/table.ts";

/** Issue 16's targets for the protected read, each against a baseline measured in the same run. */
const TARGETS: { measure: string; a: string; b: string; meter?: string; min?: number; max?: number }[] = [
  { measure: "trpc req/s vs plain Hono", a: "trpc", b: "hono", min: 0.85 },
  { measure: "trpc req/s vs raw pg", a: "trpc", b: "raw-pg", min: 0.5 },
  { measure: "trpc node CPU/request vs plain Hono", a: "trpc", b: "hono", meter: "node", max: 1.2 },
  // The same without the load generator's thread, which pays for the real API's bigger answer (its
  // security headers) when it reads it: the servers' own cost.
  { measure: "trpc server-thread CPU/request vs plain Hono", a: "trpc", b: "hono", meter: "main", max: 1.2 },
];

/** The SQL Kysely sends for `fn`, captured by a fake pg client (so raw pg runs the very same query). */
async function captureSql(fn: (db: Database) => Promise<unknown>): Promise<string[]> {
  const captured: string[] = [];
  const client = {
    query: async (text: string) => {
      captured.push(text);
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

const authenticateSql = (tokenHash: Buffer, idleSeconds: number) =>
  `SELECT * FROM app.authenticate('\\x${tokenHash.toString("hex")}'::bytea, ${idleSeconds})`;

/** What asSession sends as its first message (rls.ts): BEGIN, role switch and session lookup in one trip. */
const oneTripSetup = (tokenHash: Buffer, idleSeconds: number) =>
  `BEGIN; SET LOCAL ROLE ${USER_ROLE}; ${authenticateSql(tokenHash, idleSeconds)}`;

const RATIOS: RatioSpec[] = [
  { name: "trpc/hono", a: "trpc", b: "hono", note: "what tRPC and the API's middleware add to a plain handler" },
  { name: "trpc/trpc-adapter", a: "trpc", b: "trpc-adapter", note: "the direct query path over tRPC's fetch adapter" },
  { name: "trpc/raw-pg", a: "trpc", b: "raw-pg", note: "the whole stack over the bare transaction" },
  { name: "hono/raw-pg", a: "hono", b: "raw-pg", note: "HTTP + Hono + Kysely over the bare transaction" },
  { name: "hono/as-session", a: "hono", b: "as-session", note: "HTTP + Hono alone" },
  { name: "as-session/raw-pg", a: "as-session", b: "raw-pg", note: "Kysely + the asSession wrapper alone" },
  { name: "raw-pg/split-rls", a: "raw-pg", b: "split-rls", note: "one-trip setup: same SQL in 3 round trips instead of 5" },
  { name: "raw-pg/naive-rls", a: "raw-pg", b: "naive-rls", note: "one-trip setup (3 trips) over the naive wrapper (5 trips)" },
  { name: "raw-pg/pg-ping", a: "raw-pg", b: "pg-ping", note: "the RLS read over one bare round trip" },
];

export const rlsRead: Suite = {
  name: "rls-read",
  description: "one protected read of one row by id under RLS (profile.get)",
  async run(ctx) {
    const stack = await ctx.stack();
    const users = await stack.signUp(ctx.users, "rls-read");
    const idle = stack.deps.identity.sessionIdleSeconds;
    const apiDb = stack.deps.db;

    // The plain Hono handler shares the API's pool, so trpc and hono differ only above the database.
    const plainApp = new Hono();
    plainApp.get("/me", async (c) => {
      const m = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
      if (!m?.[1]) return c.json({ error: "unauthenticated" }, 401);
      const me = await asSession(apiDb, hashToken(m[1]), idle, async (tx, auth) => (auth ? identity.getMe(tx, auth) : null));
      return me ? c.json(me) : c.json({ error: "unauthenticated" }, 401);
    });
    const plain = await stack.listen(plainApp.fetch);
    // The real app on the same deps (pool included), answering every call through tRPC's adapter.
    const adapter = await stack.listen(createApp({ deps: stack.deps, env: stack.env, adapterOnly: true }).fetch);

    // The in-process variants get their own pool, sized like the API's (createApiDeps: max 10).
    const bench = createDb({ url: stack.database.url, max: 10, applicationName: "inkwell-bench" });
    try {
      const [meSql] = await captureSql((db) =>
        // Only captures the SQL text (nothing runs), so the capturing connection may pose as a transaction.
        identity.getMe(db as Tx, { userId: "00000000-0000-0000-0000-000000000000" } as Parameters<typeof identity.getMe>[1]),
      );
      if (!meSql) throw new Error("could not capture the profile query");

      const user = (seq: number) => users[seq % users.length] as BenchUser;

      const asSessionOnce = (u: BenchUser) =>
        asSession(bench.db, hashToken(u.token), idle, async (tx, auth) => {
          if (!auth) throw new Error("session not found");
          return identity.getMe(tx, auth);
        });

      const rawOnce = async (u: BenchUser) => {
        const client = await bench.pool.connect();
        let broken = false;
        try {
          const setup = (await client.query(oneTripSetup(hashToken(u.token), idle))) as unknown as pg.QueryResult[];
          const userId = setup[setup.length - 1]?.rows[0]?.user_id as string | undefined;
          if (!userId) throw new Error("session not found");
          const { rows } = await client.query(meSql, [userId]);
          await client.query("COMMIT");
          return rows[0] as { id: string } | undefined;
        } catch (error) {
          await client.query("ROLLBACK").catch(() => {
            broken = true;
          });
          throw error;
        } finally {
          client.release(broken);
        }
      };

      const splitOnce = async (u: BenchUser) => {
        const client = await bench.pool.connect();
        let broken = false;
        try {
          await client.query("BEGIN");
          await client.query(`SET LOCAL ROLE ${USER_ROLE}`);
          const auth = await client.query(authenticateSql(hashToken(u.token), idle));
          const userId = auth.rows[0]?.user_id as string | undefined;
          if (!userId) throw new Error("session not found");
          const { rows } = await client.query(meSql, [userId]);
          await client.query("COMMIT");
          return rows[0] as { id: string } | undefined;
        } catch (error) {
          await client.query("ROLLBACK").catch(() => {
            broken = true;
          });
          throw error;
        } finally {
          client.release(broken);
        }
      };

      const naiveOnce = async (u: BenchUser) => {
        const client = await bench.pool.connect();
        let broken = false;
        try {
          await client.query("BEGIN");
          await client.query("SELECT set_config('app.user_id', $1, true)", [u.id]);
          await client.query(`SET LOCAL ROLE ${USER_ROLE}`);
          const { rows } = await client.query(meSql, [u.id]);
          await client.query("COMMIT");
          return rows[0] as { id: string } | undefined;
        } catch (error) {
          await client.query("ROLLBACK").catch(() => {
            broken = true;
          });
          throw error;
        } finally {
          client.release(broken);
        }
      };

      const bearer = (u: BenchUser) => ({ authorization: `Bearer ${u.token}` });
      const trpcTarget: HttpTarget = {
        origin: stack.api.origin,
        requests: users.map((u) => ({ path: "/trpc/profile.get", headers: bearer(u) })),
      };
      const adapterTarget: HttpTarget = { ...trpcTarget, origin: adapter.origin };
      const honoTarget: HttpTarget = { origin: plain.origin, requests: users.map((u) => ({ path: "/me", headers: bearer(u) })) };

      // Every variant must read the right row before it is timed.
      const probe = users[0] as BenchUser;
      const viaHttp = async (origin: string, path: string) => {
        const res = await fetch(`${origin}${path}`, { headers: bearer(probe) });
        if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
        return (await res.json()) as { id?: string; result?: { data?: { id?: string } } };
      };
      const checks: [string, string | undefined][] = [
        ["trpc", (await viaHttp(stack.api.origin, "/trpc/profile.get")).result?.data?.id],
        ["trpc-adapter", (await viaHttp(adapter.origin, "/trpc/profile.get")).result?.data?.id],
        ["hono", (await viaHttp(plain.origin, "/me")).id],
        ["as-session", (await asSessionOnce(probe)).id],
        ["raw-pg", (await rawOnce(probe))?.id],
        ["split-rls", (await splitOnce(probe))?.id],
        ["naive-rls", (await naiveOnce(probe))?.id],
      ];
      for (const [name, id] of checks) {
        if (id !== probe.id) throw new Error(`${name} read ${id ?? "nothing"}, expected ${probe.id}`);
      }

      const variants: Variant[] = [
        { name: "trpc", description: "GET /trpc/profile.get, real API", run: (l) => ctx.http.run(trpcTarget, l) },
        {
          name: "trpc-adapter",
          description: "the same app, every call through tRPC's fetch adapter",
          run: (l) => ctx.http.run(adapterTarget, l),
        },
        { name: "hono", description: "plain Hono handler, asSession + getMe", run: (l) => ctx.http.run(honoTarget, l) },
        {
          name: "as-session",
          description: "in-process asSession + getMe (Kysely)",
          run: (l) => closedLoop(l, (_c, seq) => asSessionOnce(user(seq))),
        },
        {
          name: "raw-pg",
          description: "pg: one-trip setup, SELECT, COMMIT",
          run: (l) => closedLoop(l, (_c, seq) => rawOnce(user(seq))),
        },
        {
          name: "split-rls",
          description: "pg: BEGIN, SET ROLE, authenticate, SELECT, COMMIT",
          run: (l) => closedLoop(l, (_c, seq) => splitOnce(user(seq))),
        },
        {
          name: "naive-rls",
          description: "pg: BEGIN, set_config, SET ROLE, SELECT, COMMIT",
          run: (l) => closedLoop(l, (_c, seq) => naiveOnce(user(seq))),
        },
        {
          name: "pg-ping",
          description: "pg: SELECT 1 (one round trip, the floor)",
          run: (l) =>
            closedLoop(l, async () => {
              const client = await bench.pool.connect();
              try {
                await client.query("SELECT 1");
              } finally {
                client.release();
              }
            }),
        },
      ];

      const count = ctx.only ? variants.filter((v) => ctx.only?.includes(v.name)).length : variants.length;
      const plan = planFor(ctx.budgetMs(), Math.max(1, count), {
        concurrency: ctx.concurrency,
        roundMs: ctx.roundMs,
        maxOpsPerRound: ctx.maxOpsPerRound,
      });
      const loadBefore = os.loadavg()[0] ?? 0;
      const results = await runInterleaved(variants, plan, { ...ctx, meters: stack.meters });
      const byName = new Map(results.map((r) => [r.name, r]));
      const targetRows = TARGETS.flatMap((t) => {
        const a = byName.get(t.a);
        const b = byName.get(t.b);
        if (!a || !b) return [];
        const [va, vb, unit] = t.meter
          ? [a.cpuUsPerOp[t.meter] ?? Number.NaN, b.cpuUsPerOp[t.meter] ?? Number.NaN, "µs"]
          : [a.rps, b.rps, "/s"];
        const ratio = va / vb;
        const met = t.min !== undefined ? ratio >= t.min : ratio <= (t.max ?? Number.POSITIVE_INFINITY);
        return [
          [
            t.measure,
            `${num(va)} ${unit}`,
            `${t.b} ${num(vb)} ${unit}`,
            times(ratio),
            t.min !== undefined ? `≥ ${times(t.min)}` : `≤ ${times(t.max ?? Number.NaN)}`,
            met ? "met" : "MISSED",
          ],
        ];
      });
      return {
        suite: this.name,
        description: this.description,
        plan,
        variants: results,
        ratios: ratios(results, RATIOS),
        tables: [
          {
            title: "rls-read: figures against the issue's targets (baselines from this run)",
            headers: ["measure", "value", "baseline", "ratio", "target", ""],
            rows: targetRows,
          },
        ],
        notes: [
          `${users.length} users, tokens used round-robin; pools of 10 connections (as the API's), ${ctx.concurrency} concurrent clients.`,
          `HTTP load from ${ctx.http.mode === "worker" ? "a worker thread" : "the main thread"}; request logging is a no-op logger.`,
          `node cpu = this process (servers, HTTP client${stack.database.kind === "embedded" ? ", PGlite" : ""})${stack.meters.length > 0 ? "; postgres cpu = the backends of the bench database" : ""}, per request.`,
          "split-rls runs raw-pg's statements one per round trip; naive-rls skips the session lookup (user id known).",
          `load average (1 min) ${loadBefore.toFixed(1)} before the rounds, ${(os.loadavg()[0] ?? 0).toFixed(1)} after.`,
        ],
      };
    } finally {
      await plain.close();
      await adapter.close();
      await bench.db.destroy();
    }
  },
};
