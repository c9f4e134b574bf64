/**
 * credits-charge: charges per second under 50 concurrent callers, next to the cheapest possible way to
 * move a balance — a plain single-row UPDATE — in the same run. A charge is one SQL call,
 * app.charge_credits (migration 0035): lock the account row, idempotency check, spendable sum, consume
 * grants in spending order, update the account, append the ledger, the low-credit alert.
 *
 *   charge         credits.chargeNow: the call as its own RLS transaction in ONE round trip
 *   charge-hot     the same, all callers on ONE account (worst case: every charge waits for the row lock)
 *   charge-tx      asUser + credits.charge: the call inside a caller's transaction (setup, call, COMMIT:
 *                  three trips, the row lock held across the COMMIT's trip)
 *   charge-tx-hot  the same on one account
 *   hold-capture   a metered call's credits: asUser + credits.hold, then asUser + credits.capture (each
 *                  one SQL call since migration 0067: two transactions of three trips)
 *   hold-capture-split  the same two transactions as the service ran them before 0067, one statement a
 *                  trip (hold: lock, key, spendable, insert, ledger; capture: lock, hold, grants, status,
 *                  ledger, spendable, allowance): 7 + 9 trips, the row lock held across each
 *   update         pg: UPDATE credit_accounts SET balance = balance - 1 WHERE user_id = $1 (autocommit)
 */
import { asSystem, asUser, createDb, USER_ROLE } from "@inkwell/db";
import { credits, requestHash } from "@inkwell/domain/credits";
import type pg from "pg";
import { closedLoop } from "../lib/load.ts";
import { planFor, type RatioSpec, ratios, runInterleaved, type Variant } from "../lib/runner.ts";
import type { Suite } from "../lib/suite.ts";
import { num, times } from "../lib/table.ts";

const CALLERS = 50;
const USERS = 50;
const FUNDS = 50_000_000;

const RATIOS: RatioSpec[] = [
  { name: "charge/update", a: "charge", b: "update", note: "a full ledgered, idempotent charge over a bare UPDATE" },
  { name: "charge-hot/update", a: "charge-hot", b: "update", note: "one hot account: row-lock contention" },
  { name: "charge-tx/update", a: "charge-tx", b: "update", note: "the call inside asUser (3 round trips)" },
  { name: "charge-tx-hot/update", a: "charge-tx-hot", b: "update", note: "one hot account, lock held across a trip" },
  { name: "charge/charge-tx", a: "charge", b: "charge-tx", note: "one message over three round trips" },
  {
    name: "hold-capture/update",
    a: "hold-capture",
    b: "update",
    note: "hold then capture (two transactions) over a bare UPDATE",
  },
  {
    name: "hold-capture/split",
    a: "hold-capture",
    b: "hold-capture-split",
    note: "one call each (0067) over the statements one trip each",
  },
];

/** The hold and capture as credits.service ran them before migration 0067: one statement per round trip. */
async function holdCaptureSplit(pool: pg.Pool, userId: string, key: string) {
  const client = await pool.connect();
  const inTx = async (fn: () => Promise<void>) => {
    await client.query(`BEGIN; SET LOCAL ROLE ${USER_ROLE}; SELECT set_config('app.user_id', '${userId}', true)`);
    try {
      await fn();
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    }
  };
  const spendable = `SELECT coalesce(sum(remaining), 0)::int AS total FROM credit_grants
    WHERE user_id = $1 AND remaining > 0 AND (expires_at IS NULL OR expires_at > now())`;
  const record = `WITH account AS (UPDATE credit_accounts SET balance = $2, held = $3 WHERE user_id = $1 RETURNING user_id)
    INSERT INTO credit_ledger (user_id, entry_type, amount, held_delta, balance_after, held_after, operation, hold_id)
    VALUES ($1, $4, $5, $6, $2, $3, 'knowledge.embed', $7) RETURNING id, created_at`;
  try {
    let holdId = "";
    const amount = 1;
    await inTx(async () => {
      const a = (await client.query("SELECT balance, held FROM credit_accounts WHERE user_id = $1 FOR UPDATE", [userId])).rows[0];
      await client.query("SELECT * FROM credit_holds WHERE user_id = $1 AND idempotency_key = $2", [userId, key]);
      const total = (await client.query(spendable, [userId])).rows[0].total as number;
      if (total - a.held < amount) throw new Error("insufficient");
      const h = await client.query(
        `INSERT INTO credit_holds (user_id, operation, amount, idempotency_key, request_hash, expires_at)
         VALUES ($1, 'knowledge.embed', $2, $3, $4, now() + make_interval(secs => 900)) RETURNING *`,
        [userId, amount, key, requestHash({ key })],
      );
      holdId = h.rows[0].id as string;
      await client.query(record, [userId, a.balance, a.held + amount, "hold", 0, amount, holdId]);
    });
    await inTx(async () => {
      const a = (await client.query("SELECT balance, held FROM credit_accounts WHERE user_id = $1 FOR UPDATE", [userId])).rows[0];
      await client.query("SELECT * FROM credit_holds WHERE id = $1 FOR UPDATE", [holdId]);
      await client.query(
        `WITH ordered AS (
           SELECT id, remaining, sum(remaining) OVER (ORDER BY paid, expires_at NULLS LAST, created_at, id) AS running
             FROM credit_grants WHERE user_id = $1 AND remaining > 0
         ), take AS (
           SELECT id, least(remaining, $2 - (running - remaining))::int AS taken FROM ordered WHERE running - remaining < $2
         )
         UPDATE credit_grants g SET remaining = g.remaining - take.taken FROM take WHERE g.id = take.id RETURNING take.taken`,
        [userId, amount],
      );
      await client.query("UPDATE credit_holds SET status = 'captured', captured = $2 WHERE id = $1", [holdId, amount]);
      await client.query(record, [userId, a.balance - amount, a.held - amount, "capture", -amount, -amount, holdId]);
      await client.query(spendable, [userId]);
      await client.query(
        "SELECT coalesce(sum(amount), 0)::int AS total FROM credit_grants WHERE user_id = $1 AND (expires_at IS NULL OR expires_at > now())",
        [userId],
      );
    });
  } finally {
    client.release();
  }
}

/** Issue 16's targets, as a share of the same run's plain UPDATE throughput. */
const TARGETS: { variant: string; min: number }[] = [
  { variant: "charge", min: 0.5 },
  { variant: "charge-hot", min: 0.2 },
];

export const creditsCharge: Suite = {
  name: "credits-charge",
  description: `credit charges/s with ${CALLERS} concurrent callers vs plain single-row UPDATEs`,
  async run(ctx) {
    const stack = await ctx.stack();
    const bench = createDb({ url: stack.database.url, max: 20, applicationName: "inkwell-bench-credits" });
    try {
      const runId = Date.now().toString(36);
      const users: string[] = [];
      for (let i = 0; i < USERS; i++) {
        users.push(
          await asSystem(bench.db, async (tx) => {
            const u = await tx
              .insertInto("users")
              .values({ email: `bench-credits-${runId}-${i}@example.test`, password_hash: "x" })
              .returning("id")
              .executeTakeFirstOrThrow();
            await credits.grant(tx, u.id, { source: "bonus", amount: FUNDS, idempotencyKey: "bench" });
            return u.id;
          }),
        );
      }
      let seq = 0;
      const chargeOnce = (userId: string) =>
        credits.chargeNow(bench.db, userId, { operation: "knowledge.embed", idempotencyKey: `b-${runId}-${seq++}`, request: {} });
      const chargeInTx = (userId: string) =>
        asUser(bench.db, userId, (tx) =>
          credits.charge(tx, userId, { operation: "knowledge.embed", idempotencyKey: `b-${runId}-${seq++}`, request: {} }),
        );
      const holdCapture = async (userId: string) => {
        const key = `h-${runId}-${seq++}`;
        const h = await asUser(bench.db, userId, (tx) =>
          credits.hold(tx, userId, { operation: "knowledge.embed", amount: 1, idempotencyKey: key, request: {} }),
        );
        await asUser(bench.db, userId, (tx) => credits.capture(tx, userId, h.holdId, 1));
      };
      const updateOnce = async (userId: string) => {
        const client = await bench.pool.connect();
        try {
          await client.query("UPDATE credit_accounts SET balance = balance - 1 WHERE user_id = $1", [userId]);
        } finally {
          client.release();
        }
      };
      const hot = users[0] as string;
      const variants: Variant[] = [
        {
          name: "charge",
          description: "credits.chargeNow (one message), callers spread over 50 accounts",
          run: (l) => closedLoop(l, (c) => chargeOnce(users[c % USERS] as string)),
        },
        {
          name: "charge-hot",
          description: "credits.chargeNow (one message), all callers on one account",
          run: (l) => closedLoop(l, () => chargeOnce(hot)),
        },
        {
          name: "charge-tx",
          description: "asUser + credits.charge (3 trips), 50 accounts",
          run: (l) => closedLoop(l, (c) => chargeInTx(users[c % USERS] as string)),
        },
        {
          name: "charge-tx-hot",
          description: "asUser + credits.charge (3 trips), one account",
          run: (l) => closedLoop(l, () => chargeInTx(hot)),
        },
        {
          name: "hold-capture",
          description: "asUser + credits.hold, then asUser + credits.capture (one call each), 50 accounts",
          run: (l) => closedLoop(l, (c) => holdCapture(users[c % USERS] as string)),
        },
        {
          name: "hold-capture-split",
          description: "the same hold and capture one statement a trip (the service before 0067), 50 accounts",
          run: (l) => closedLoop(l, (c) => holdCaptureSplit(bench.pool, users[c % USERS] as string, `s-${runId}-${seq++}`)),
        },
        {
          name: "update",
          description: "plain single-row UPDATE, autocommit",
          run: (l) => closedLoop(l, (c) => updateOnce(users[c % USERS] as string)),
        },
      ];
      const count = ctx.only ? variants.filter((v) => ctx.only?.includes(v.name)).length : variants.length;
      const plan = planFor(ctx.budgetMs(), Math.max(1, count), {
        concurrency: CALLERS,
        roundMs: ctx.roundMs,
        maxOpsPerRound: ctx.maxOpsPerRound,
      });
      const results = await runInterleaved(variants, plan, { ...ctx, meters: stack.meters });

      // The UPDATE baseline moved balances outside the ledger on purpose; put them back and prove the
      // charges themselves kept every account equal to its ledger.
      await asSystem(bench.db, async (tx) => {
        for (const u of users) {
          const g = await tx
            .selectFrom("credit_grants")
            .select((eb) => eb.fn.sum<number>("remaining").as("sum"))
            .where("user_id", "=", u)
            .executeTakeFirstOrThrow();
          await tx
            .updateTable("credit_accounts")
            .set({ balance: Number(g.sum) })
            .where("user_id", "=", u)
            .execute();
        }
      });
      const drift = (await credits.reconcile(bench.db, { info() {}, warn() {}, error() {} })).filter((d) =>
        users.includes(d.userId),
      );
      if (drift.length > 0) throw new Error(`credit drift after the charge benchmark: ${JSON.stringify(drift[0])}`);

      const update = results.find((r) => r.name === "update");
      const rows = TARGETS.flatMap(({ variant, min }) => {
        const r = results.find((x) => x.name === variant);
        if (!r || !update) return [];
        const ratio = r.rps / update.rps;
        return [
          [
            `${variant}: charges/s`,
            num(r.rps),
            `update ${num(update.rps)}/s`,
            times(ratio),
            `≥ ${times(min)}`,
            ratio >= min ? "met" : "MISSED",
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
            title: "credits-charge: figures against the issue's targets (baseline = this run's plain UPDATE)",
            headers: ["measure", "value", "baseline", "ratio", "target", ""],
            rows,
          },
        ],
        notes: [
          `${CALLERS} concurrent callers, pool of 20 connections for every variant; ${USERS} accounts funded with ${FUNDS} credits.`,
          "After the run every account was reconciled: balance == ledger sum == grants remaining.",
        ],
      };
    } finally {
      await bench.db.destroy();
    }
  },
};
