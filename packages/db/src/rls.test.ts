import { sql } from "kysely";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createDb } from "./client.ts";
import { asSystem, asUser } from "./rls.ts";

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

  it("rolls back everything when the work fails, and leaves no role or user on the pooled connection", async () => {
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
    const after = await sql<{
      role: string;
      uid: string | null;
    }>`SELECT current_user AS role, nullif(current_setting('app.user_id', true), '') AS uid`.execute(db);
    expect(after.rows[0]?.role).not.toBe("inkwell_user");
    expect(after.rows[0]?.uid).toBeNull();
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
