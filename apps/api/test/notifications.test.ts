/**
 * The bell on the real database: the unread count is every unread notification (not only those among
 * the newest 50 the panel lists), exact up to its cap and no dearer for a user with 10k notifications;
 * "mark all read" is one call that marks all of the caller's unread notifications and nobody else's.
 * A share's notice leaving the bell with its share is in study-sharing.test.ts.
 */
import { asUser, type Tx } from "@inkwell/db";
import { notifications, UNREAD_COUNT_CAP, UNREAD_COUNT_SCAN } from "@inkwell/domain/notifications";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.ts";

type User = Awaited<ReturnType<Harness["signUp"]>>;
let h: Harness;
let ann: User;
let ben: User;

beforeAll(async () => {
  h = await startHarness();
  [ann, ben] = [await h.signUp("bell-ann"), await h.signUp("bell-ben")];
}, 60_000);

afterAll(async () => {
  await h?.stop();
});

/** `n` system notices for a user, a second apart (read ones a day older); read, unread or already expired. */
function seed(user: User, n: number, state: "unread" | "read" | "expired", tag: string) {
  return h.raw(sql`
    INSERT INTO notifications (user_id, kind, title, body, dedupe_key, read_at, expires_at, created_at)
    SELECT ${user.me.id}::uuid, 'test', ${tag} || ' ' || g, '', ${tag} || ':' || g,
           ${state === "read" ? sql`now()` : sql`NULL::timestamptz`},
           ${state === "expired" ? sql`now() - interval '1 minute'` : sql`NULL::timestamptz`},
           now() - g * interval '1 second' - ${state === "read" ? sql`interval '1 day'` : sql`interval '0 seconds'`}
      FROM generate_series(1, ${n}::int) g`);
}

async function unreadRows(user: User): Promise<number> {
  const { rows } = await h.raw(sql<{ n: number }>`
    SELECT count(*)::int AS n FROM notifications WHERE user_id = ${user.me.id} AND read_at IS NULL`);
  return rows[0]?.n ?? -1;
}

describe("the unread count", () => {
  it("counts every unread notification, past the 50 the panel lists, and none read or expired", async () => {
    await seed(ann, 30, "read", "old");
    await seed(ann, 70, "unread", "new");
    await seed(ann, 5, "expired", "gone");
    const listed = await ann.caller.notifications.list({});
    expect(listed).toHaveLength(50);
    expect(listed.filter((n) => !n.readAt)).toHaveLength(50);
    expect(await ann.caller.notifications.unreadCount()).toBe(70);
    expect(await ben.caller.notifications.unreadCount()).toBe(0);
  });

  it("stops at its cap, however many notifications a user has", async () => {
    const many = await h.signUp("bell-many");
    await seed(many, 10_000, "read", "read");
    await seed(many, UNREAD_COUNT_CAP + 50, "unread", "unread");
    expect(await many.caller.notifications.unreadCount()).toBe(UNREAD_COUNT_CAP);
    // The count walks the caller's unread rows only (the partial index), not their 10k read ones.
    await h.raw(sql`ANALYZE notifications`);
    const plan = await asUser(h.db, many.me.id, async (tx) => {
      const { rows } = await sql<{ "QUERY PLAN": string }>`
        EXPLAIN SELECT 1 FROM notifications n WHERE n.user_id = (SELECT app.current_user_id()) AND n.read_at IS NULL
          ORDER BY n.created_at DESC LIMIT ${sql.lit(UNREAD_COUNT_SCAN)}`.execute(tx);
      return rows.map((r) => r["QUERY PLAN"]).join("\n");
    });
    expect(plan).toContain("notifications_unread_idx");
    expect((await rowsRead(many, (tx) => notifications.unreadCount(tx))).rows).toBeLessThanOrEqual(UNREAD_COUNT_SCAN);
    const { marked } = await many.caller.notifications.markAllRead();
    expect(marked).toBe(UNREAD_COUNT_CAP + 50);
    expect(await many.caller.notifications.unreadCount()).toBe(0);
  });
});

/** Rows of notifications the statements of `fn` (one transaction as `user`) read, from the table's own counters. */
async function rowsRead<T>(user: User, fn: (tx: Tx) => Promise<T>): Promise<{ result: T; rows: number }> {
  return asUser(h.db, user.me.id, async (tx) => {
    const counters = sql<{ n: string }>`
      SELECT (coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0))::text AS n
        FROM pg_stat_xact_user_tables WHERE relname = 'notifications'`;
    const before = Number((await counters.execute(tx)).rows[0]?.n ?? 0);
    const result = await fn(tx);
    return { result, rows: Number((await counters.execute(tx)).rows[0]?.n ?? 0) - before };
  });
}

describe("the unread count of a user with many notices the bell no longer shows", () => {
  it("reads a bounded number of rows, however many expired or dead-share notices are still unread", async () => {
    const sender = await h.signUp("bell-sender");
    const heavy = await h.signUp("bell-heavy");
    const itemId = (
      await sender.caller.study.library.items.create({
        itemType: "study_guide",
        title: "Long gone",
        content: { sections: [{ heading: "One", body: "Text." }] },
      })
    ).id;
    // 2,000 unread notices it never shows again (live invites of finished games, shares that ran out),
    // older than the three it shows.
    await seed(heavy, 1000, "expired", "invite");
    await h.raw(sql`
      INSERT INTO notifications (user_id, sender_id, kind, title, body, dedupe_key, material_id, created_at)
      SELECT ${heavy.me.id}::uuid, ${sender.me.id}::uuid, 'share', 'A share that ran out', '',
             ${sender.me.id}::text || ':share:' || g, ${itemId}::uuid, now() - g * interval '1 second'
        FROM generate_series(1, 1000) g`);
    await h.raw(sql`UPDATE notifications SET created_at = created_at - interval '1 hour' WHERE user_id = ${heavy.me.id}`);
    await seed(heavy, 3, "unread", "shown");
    await h.raw(sql`ANALYZE notifications`);
    expect((await heavy.caller.notifications.list({})).map((n) => n.title)).toEqual(["shown 1", "shown 2", "shown 3"]);
    const { result, rows } = await rowsRead(heavy, (tx) => notifications.unreadCount(tx));
    expect(result).toBe(3);
    expect(rows).toBeLessThanOrEqual(UNREAD_COUNT_SCAN);
    // Mark all read takes the dead ones out of the unread rows too.
    expect(await heavy.caller.notifications.markAllRead()).toEqual({ marked: 2003 });
    expect((await rowsRead(heavy, (tx) => notifications.unreadCount(tx))).rows).toBe(0);
  });
});

describe("mark all read", () => {
  it("marks every unread notification of the caller in one call, and nobody else's", async () => {
    await seed(ben, 3, "unread", "ben");
    expect(await unreadRows(ann)).toBeGreaterThan(50);
    const { marked } = await ann.caller.notifications.markAllRead();
    // Every unread row of ann's, those past the newest 50 and the expired ones (never shown again) too.
    expect(marked).toBe(75);
    expect(await unreadRows(ann)).toBe(0);
    expect(await ann.caller.notifications.unreadCount()).toBe(0);
    expect((await ann.caller.notifications.list({})).every((n) => n.readAt !== null)).toBe(true);
    // Ben's are his: untouched by ann's call.
    expect(await unreadRows(ben)).toBe(3);
    expect(await ben.caller.notifications.unreadCount()).toBe(3);
    // Again: nothing left to mark.
    expect(await ann.caller.notifications.markAllRead()).toEqual({ marked: 0 });
  });
});
