import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createDb, type Database } from "./client.ts";
import { asSession, asSystem, asUser, type Tx } from "./rls.ts";

const { db } = createDb({ url: inject("databaseUrl"), max: 4 });
afterAll(() => db.destroy());

async function makeUser(email: string): Promise<string> {
  return asSystem(db, async (tx) => {
    const u = await tx.insertInto("users").values({ email, password_hash: "x" }).returning("id").executeTakeFirstOrThrow();
    await tx.insertInto("profiles").values({ user_id: u.id, display_name: email }).execute();
    return u.id;
  });
}

describe("the RLS transaction", () => {
  it("shows a user only their own rows and runs as the unprivileged role", async () => {
    const a = await makeUser(`a-${Date.now()}@example.test`);
    const b = await makeUser(`b-${Date.now()}@example.test`);
    const seen = await asUser(db, a, async (tx) => {
      const who = await sql<{ role: string; uid: string }>`SELECT current_user AS role, app.current_user_id() AS uid`.execute(tx);
      const profiles = await tx.selectFrom("profiles").select("user_id").execute();
      return { who: who.rows[0], profiles: profiles.map((p) => p.user_id) };
    });
    expect(seen.who).toEqual({ role: "inkwell_user", uid: a });
    expect(seen.profiles).toEqual([a]);
    const updated = await asUser(db, a, (tx) =>
      tx.updateTable("profiles").set({ display_name: "hijack" }).where("user_id", "=", b).executeTakeFirst(),
    );
    expect(updated.numUpdatedRows).toBe(0n);
  });

  it("rolls back everything when the work fails", async () => {
    const a = await makeUser(`c-${Date.now()}@example.test`);
    await expect(
      asUser(db, a, async (tx) => {
        await tx.updateTable("profiles").set({ display_name: "changed" }).where("user_id", "=", a).execute();
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const name = await asUser(db, a, (tx) =>
      tx.selectFrom("profiles").select("display_name").where("user_id", "=", a).executeTakeFirstOrThrow(),
    );
    expect(name.display_name).toContain("c-");
  });

  it("leaves no role, user or session on the connection it returns to the pool, whether the work commits or fails", async () => {
    // A pool of one connection: the check after each call runs on the very connection that call released
    // (asserted by its backend pid), not on whichever idle one a larger pool happens to hand out.
    const single = createDb({ url: inject("databaseUrl"), max: 1 });
    try {
      const a = await makeUser(`p-${Date.now()}@example.test`);
      const token = randomBytes(32);
      await asSystem(db, (tx) =>
        tx
          .insertInto("sessions")
          .values({
            user_id: a,
            token_hash: token,
            expires_at: new Date(Date.now() + 3_600_000),
            idle_expires_at: new Date(Date.now() + 3_600_000),
          })
          .execute(),
      );
      const state = sql<{ pid: number; own_role: boolean; uid: string | null; sid: string | null }>`
        SELECT pg_backend_pid() AS pid, current_user = session_user AS own_role,
               nullif(current_setting('app.user_id', true), '') AS uid,
               nullif(current_setting('app.session_id', true), '') AS sid`;
      const clean = async (label: string, pid: number) =>
        expect((await state.execute(single.db)).rows[0], label).toEqual({ pid, own_role: true, uid: null, sid: null });
      const boom = new Error("boom");

      for (const fails of [false, true]) {
        const outcome = fails ? "fails" : "commits";
        let pid = 0;
        const work = async (tx: Tx, expectUser: boolean) => {
          const inside = (await state.execute(tx)).rows[0]!;
          expect(inside.own_role).toBe(false);
          expect(inside.uid).toBe(expectUser ? a : null);
          pid = inside.pid;
          if (fails) throw boom;
        };
        const settle = (p: Promise<unknown>) => (fails ? expect(p).rejects.toBe(boom) : p);

        await settle(asUser(single.db, a, (tx) => work(tx, true)));
        await clean(`asUser ${outcome}`, pid);
        await settle(
          asSession(single.db, token, 3600, async (tx, auth) => {
            expect(auth?.userId).toBe(a);
            await work(tx, true);
          }),
        );
        await clean(`asSession ${outcome}`, pid);
        await settle(asSystem(single.db, (tx) => work(tx, false)));
        await clean(`asSystem ${outcome}`, pid);
      }
    } finally {
      await single.db.destroy();
    }
  });

  it("refuses a user id that is not a UUID (it is interpolated into SQL)", async () => {
    expect(() => asUser(db, "1'; DROP TABLE users; --", async () => 1)).toThrow("must be a UUID");
  });

  it("cannot let a user change their own role or tier", async () => {
    const a = await makeUser(`d-${Date.now()}@example.test`);
    await expect(
      asUser(db, a, (tx) => tx.updateTable("users").set({ role: "admin" }).where("id", "=", a).execute()),
    ).rejects.toThrow(/permission denied/);
  });
});

/**
 * Checked by the typecheck, never run: a repository function takes the caller's RLS transaction, and
 * the pool (which on the embedded database connects as a superuser, bypassing RLS) must not compile in
 * its place. If `Tx` were an alias of the pool's type, the expect-error below would itself be an error.
 */
export function poolIsNotATransaction(pool: Database): Tx {
  // @ts-expect-error the pool is not a transaction
  return pool;
}
