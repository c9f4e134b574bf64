import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createDb } from "./client.ts";
import { asSystem, asUser } from "./rls.ts";
import { provisionTestDatabase } from "./testing.ts";
import { toVector } from "./vector.ts";

const { db } = createDb({ url: inject("databaseUrl"), max: 2 });
afterAll(() => db.destroy());

/**
 * A reproducible spread of magnitudes and signs, each number a full-precision double (53 significant
 * bits, as computed embeddings are; a model's float32 output is exact in float4 anyway).
 */
function vectors(count: number, dimensions: number): number[][] {
  let seed = 12345;
  const next = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  const unit = () => next() + next() / 2147483647;
  return Array.from({ length: count }, () =>
    Array.from({ length: dimensions }, () => (unit() * 2 - 1) * 10 ** Math.floor(next() * 8 - 6)),
  );
}

describe("pgvector values", () => {
  it("reads a vector column as numbers (the pool registers pgvector's parser)", async () => {
    const r = await sql<{ v: number[]; n: number[] | null }>`SELECT '[1.5,-2,0.25]'::vector AS v, NULL::vector AS n`.execute(db);
    expect(r.rows[0]).toEqual({ v: [1.5, -2, 0.25], n: null });
  });

  it("stores from binary exactly what the text form stores", async () => {
    const sample = vectors(200, 1536);
    const same = await sql<{ n: number }>`
      SELECT count(*)::int AS n
        FROM (VALUES ${sql.join(sample.map((v) => sql`(${toVector(v)}, ${JSON.stringify(v)}::vector)`))}) AS t(b, x)
       WHERE b = x`.execute(db);
    expect(same.rows[0]?.n).toBe(sample.length);
    const back = await sql<{ v: number[] }>`SELECT ${toVector(sample[0] as number[])} AS v`.execute(db);
    // pgvector prints the shortest decimal of each float4, so compare as float4s.
    expect(back.rows[0]?.v.map(Math.fround)).toEqual((sample[0] as number[]).map(Math.fround));
  });

  it("rounds a number exactly halfway between two float4s to even, where text rounds its decimal", async () => {
    // 1 + 2^-24 is the midpoint of 1 and the next float4; its shortest decimal is a little above it.
    const r = await sql<{ b: number[]; x: number[] }>`
      SELECT ${toVector([1 + 2 ** -24])} AS b, ${JSON.stringify([1 + 2 ** -24])}::vector AS x`.execute(db);
    expect(r.rows[0]?.b).toEqual([1]);
    expect(r.rows[0]?.x.map(Math.fround)).toEqual([Math.fround(1 + 2 ** -23)]);
  });

  it("refuses an empty vector before it reaches Postgres", () => {
    expect(() => toVector([])).toThrow(/at least one dimension/);
  });

  it("writes and reads a column in the user's transaction, under RLS", async () => {
    const userId = await asSystem(db, async (tx) => {
      const u = await tx
        .insertInto("users")
        .values({ email: `v-${randomUUID()}@example.test`, password_hash: "x" })
        .returning("id")
        .executeTakeFirstOrThrow();
      await tx.insertInto("profiles").values({ user_id: u.id, display_name: "v" }).execute();
      return u.id;
    });
    const [embedding] = vectors(1, 1536) as [number[]];
    const read = await asUser(db, userId, async (tx) => {
      const e = await tx
        .insertInto("knowledge_entries")
        .values({ user_id: userId, title: "t", content: "c", category: "about_me", embedding: toVector(embedding) })
        .returning("id")
        .executeTakeFirstOrThrow();
      return tx.selectFrom("knowledge_entries").select("embedding").where("id", "=", e.id).executeTakeFirstOrThrow();
    });
    expect(read.embedding?.map(Math.fround)).toEqual(embedding.map(Math.fround));
  });

  it("parses vectors on a pool that connected before the extension existed (a fresh database)", async () => {
    const fresh = await provisionTestDatabase({ migrate: false });
    const pool = createDb({ url: fresh.url, max: 1 });
    try {
      // The one connection opens now, with no vector type to register yet.
      await sql`DROP EXTENSION IF EXISTS vector`.execute(pool.db);
      await sql`CREATE EXTENSION vector`.execute(pool.db);
      const r = await sql<{ v: number[] }>`SELECT '[3,4]'::vector AS v`.execute(pool.db);
      expect(r.rows[0]?.v).toEqual([3, 4]);
    } finally {
      await pool.db.destroy();
      await fresh.teardown();
    }
  });
});
