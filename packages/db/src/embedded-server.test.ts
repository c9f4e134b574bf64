import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PgliteServer, servePglite } from "./embedded-server.ts";

let db: PGlite;
let server: PgliteServer;
let url: string;

beforeAll(async () => {
  db = await PGlite.create();
  server = await servePglite(db, { host: "127.0.0.1", port: 0, idleInTransactionMs: 1500 });
  url = `postgres://postgres@127.0.0.1:${server.port}/postgres`;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query("CREATE TABLE items (id int PRIMARY KEY, owner text)");
  await c.end();
});
afterAll(async () => {
  await server.stop();
  await db.close();
});

describe("the embedded database server", () => {
  it("keeps concurrent parameterised queries from many connections apart", async () => {
    const pool = new pg.Pool({ connectionString: url, max: 8 });
    const results = await Promise.all(
      Array.from({ length: 400 }, (_, i) => pool.query("SELECT $1::int AS n, $2::text AS label", [i, `label-${i}`])),
    );
    for (const [i, r] of results.entries()) expect(r.rows[0]).toEqual({ n: i, label: `label-${i}` });
    await pool.end();
  });

  it("runs one transaction at a time and hides uncommitted rows from other connections", async () => {
    const a = new pg.Client({ connectionString: url });
    const b = new pg.Client({ connectionString: url });
    await a.connect();
    await b.connect();
    await a.query("BEGIN");
    await a.query("INSERT INTO items VALUES (1, 'a')");
    const seenByB = b.query("SELECT count(*)::int AS n FROM items WHERE id = 1");
    await new Promise((r) => setTimeout(r, 50));
    await a.query("COMMIT");
    // B waited for A's transaction to end, then saw its committed row.
    expect((await seenByB).rows[0].n).toBe(1);
    await a.end();
    await b.end();
  });

  it("rolls back the transaction of a client that disconnects, and of one idling while others wait", async () => {
    const a = new pg.Client({ connectionString: url });
    await a.connect();
    await a.query("BEGIN");
    await a.query("INSERT INTO items VALUES (2, 'vanished')");
    a.on("error", () => {});
    (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();

    const b = new pg.Client({ connectionString: url });
    await b.connect();
    expect((await b.query("SELECT count(*)::int AS n FROM items WHERE id = 2")).rows[0].n).toBe(0);

    const idle = new pg.Client({ connectionString: url });
    idle.on("error", () => {});
    await idle.connect();
    await idle.query("BEGIN");
    await idle.query("INSERT INTO items VALUES (3, 'idle')");
    // b is blocked behind the idle transaction until the watchdog cuts it off.
    expect((await b.query("SELECT count(*)::int AS n FROM items WHERE id = 3")).rows[0].n).toBe(0);
    await b.end();
  });
});
