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

// The two sweeps call every procedure in the inventory (300+ calls and growing with every module), so
// they get more than the suite's 30 s per test; a hang still fails.
describe("cross-user isolation", { timeout: 120_000 }, () => {
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
    const rowIds: Record<string, string[]> = {};
    const rows: Record<string, Record<string, unknown>[]> = {};
    for (const table of tables) {
      rows[table] = await rowsOf(table, a.me.id);
      rowIds[table] = rows[table].map((row) => String(row.id));
    }
    const secrets = new Set([a.me.id, a.email, ...Object.values(rowIds).flat()]);

    let reads = 0;
    for (const [path, entry] of Object.entries(inventory)) {
      if (entry.access !== "user" || procedures[path]?._def.type !== "query") continue;
      const where = (input: unknown) => `${path}(${JSON.stringify(input) ?? ""})`;
      if (entry.owned) {
        // A read of one of A's rows: A gets it, B gets NOT_FOUND (and so sees nothing of it). Any other
        // outcome fails here, named; a throw is never taken for "nothing leaked".
        const want = Object.entries(entry.owned.ownerRow ?? {});
        const row = rows[entry.owned.table]!.find((r) => want.every(([column, value]) => r[column] === value));
        if (!row)
          throw new Error(`${path}: no ${entry.owned.table} row of the fixture has ${JSON.stringify(entry.owned.ownerRow)}`);
        const input = entry.owned.input(String(row.id));
        await call(a.caller, path, input).catch((e) => {
          throw new Error(`${where(input)} as its owner: ${(e as Error).message}`);
        });
        await expectTrpcError(call(b.caller, path, input), "NOT_FOUND").catch((e) => {
          throw new Error(`${where(input)} as another user: ${(e as Error).message}`);
        });
        reads++;
        continue;
      }
      for (const input of readInputs[path]?.(rowIds) ?? [undefined]) {
        // The same read as A first: it must run (a read that fails validation checks nothing), and every
        // id in what A sees is A's, so B's answer must contain none of them either.
        const own = JSON.stringify(
          await call(a.caller, path, input).catch((e) => {
            throw new Error(`${where(input)} as A: ${(e as Error).message}`);
          }),
        );
        for (const id of own.match(UUIDS) ?? []) secrets.add(id);
        const seen = JSON.stringify(
          await call(b.caller, path, input).catch((e) => {
            throw new Error(`${where(input)} as B threw instead of answering: ${(e as Error).message}`);
          }),
        );
        for (const secret of secrets) expect(seen, `${where(input)} leaked ${secret}`).not.toContain(secret);
        reads++;
      }
    }
    expect(reads).toBeGreaterThan(20);
  });
});

const UUIDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * Inputs for the reads sweep, given A's row ids by table. A read that takes input must be listed (called
 * with none it fails validation and would check nothing); filters use A's words and ids, so a search or
 * filter that crossed users would surface A's rows.
 */
const readInputs: Record<string, (ids: Record<string, string[]>) => unknown[]> = {
  "credits.history": () => [{}],
  "payments.list": () => [{}],
  "usage.generations": () => [{}],
  "publishing.posts.list": () => [{}, { order: "asc" }],
  "writer.knowledge.search": () => [{ query: "sourdough baking" }],
  "chat.list": () => [undefined, { search: "Fixture" }],
  "chat.documents": (ids) => [undefined, { conversationId: ids.conversations?.[0] }],
  "writer.sessions.list": () => [undefined, { query: "bakeries" }],
  // A classroom exists only through a Clever roster sync (no fixture here): classrooms.test.ts walks these across users.
  "classrooms.get": () => [],
  "classrooms.results": () => [],
};
