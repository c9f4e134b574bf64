/**
 * Generic checks over every procedure in the router, driven by the inventory (src/inventory.ts):
 * nothing unclassified, the right kind of procedure for its access, no anonymous or non-admin access,
 * and a cross-tenant sweep: user B calls every id-bearing procedure with user A's ids and must get
 * NOT_FOUND while A's rows stay exactly as they were; B's reads never contain anything of A's.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtures, inventory } from "../src/inventory.ts";
import { appRouter } from "../src/router.ts";
import type { Meta } from "../src/trpc/init.ts";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

type AnyProcedure = { _def: { meta?: Meta; type: "query" | "mutation" | "subscription" } };
const procedures = appRouter._def.procedures as unknown as Record<string, AnyProcedure>;

function call(caller: unknown, path: string, input?: unknown): Promise<unknown> {
  const fn = path.split(".").reduce<any>((node, key) => node[key], caller);
  return fn(input);
}

async function rowsOf(table: string, userId: string) {
  const result = await h.raw(sql`SELECT * FROM ${sql.table(table)} WHERE user_id = ${userId} ORDER BY id`);
  return JSON.parse(JSON.stringify(result.rows)) as Record<string, unknown>[];
}

describe("the procedure inventory", () => {
  it("classifies every procedure, and only existing ones", () => {
    expect(Object.keys(procedures).sort()).toEqual(Object.keys(inventory).sort());
  });

  it("matches how each procedure is built", () => {
    for (const [path, entry] of Object.entries(inventory)) {
      expect(procedures[path]?._def.meta?.access, path).toBe(entry.access);
    }
  });

  it("every owned-id procedure has a fixture for its table", () => {
    for (const entry of Object.values(inventory)) {
      if (entry.owned) expect(fixtures[entry.owned.table], entry.owned.table).toBeTypeOf("function");
    }
  });
});

describe("access", () => {
  it("refuses every user and admin procedure to anonymous callers", async () => {
    for (const [path, entry] of Object.entries(inventory)) {
      if (entry.access === "public") continue;
      await expectTrpcError(call(h.anon(), path, {}), "UNAUTHORIZED").catch((e) => {
        throw new Error(`${path}: ${(e as Error).message}`);
      });
    }
  });

  it("refuses every admin procedure to ordinary users", async () => {
    const b = await h.signUp("not-admin");
    for (const [path, entry] of Object.entries(inventory)) {
      if (entry.access !== "admin") continue;
      await expectTrpcError(call(b.caller, path, {}), "FORBIDDEN").catch((e) => {
        throw new Error(`${path}: ${(e as Error).message}`);
      });
    }
  });
});

describe("cross-user isolation", () => {
  it("user B cannot touch user A's rows through any id-bearing procedure", async () => {
    const a = await h.signUp("owner");
    const b = await h.signUp("intruder");
    const tables = new Set(Object.values(inventory).flatMap((e) => (e.owned ? [e.owned.table] : [])));
    for (const table of tables) await fixtures[table]!(a.caller, { userId: a.me.id, db: h.db });

    let checked = 0;
    for (const [path, entry] of Object.entries(inventory)) {
      if (!entry.owned) continue;
      const before = await rowsOf(entry.owned.table, a.me.id);
      expect(before.length, `fixture made no ${entry.owned.table} row`).toBeGreaterThan(0);
      for (const row of before) {
        await expectTrpcError(call(b.caller, path, entry.owned.input(String(row.id))), "NOT_FOUND").catch((e) => {
          throw new Error(`${path} with A's ${entry.owned?.table} id: ${(e as Error).message}`);
        });
        checked++;
      }
      expect(await rowsOf(entry.owned.table, a.me.id), `${path} changed A's rows`).toEqual(before);
    }
    expect(checked).toBeGreaterThan(0);
  });

  it("user B's reads never contain anything of user A's", async () => {
    const a = await h.signUp("private");
    const b = await h.signUp("reader");
    const tables = new Set(Object.values(inventory).flatMap((e) => (e.owned ? [e.owned.table] : [])));
    for (const table of tables) await fixtures[table]!(a.caller, { userId: a.me.id, db: h.db });
    const secrets = [a.me.id, a.email];
    for (const table of tables) for (const row of await rowsOf(table, a.me.id)) secrets.push(String(row.id));

    for (const [path, entry] of Object.entries(inventory)) {
      if (entry.access !== "user" || procedures[path]?._def.type !== "query") continue;
      const seen = JSON.stringify(
        await call(b.caller, path, entry.owned ? entry.owned.input(a.me.id) : undefined).catch(() => null),
      );
      for (const secret of secrets) expect(seen, `${path} leaked ${secret}`).not.toContain(secret);
    }
  });
});
