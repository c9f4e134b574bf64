/**
 * pgvector values between Node and Postgres. Reads: the `pgvector` package's type registration turns
 * every `vector` column into a `number[]`. Writes and query vectors: `toVector`, pgvector's binary
 * input (vector_recv: int16 dimensions, int16 unused, big-endian float4s), 6 KB for 1536 dimensions
 * instead of ~30 KB of decimal text that the server must parse, and one parameter per query: the
 * nearest-entries query (knowledge.repository vectorCandidates, 64 entries) went from 1.6 to 0.9 ms
 * p50 on Postgres and from 15.8 to 4.5 ms on the embedded database, the same top 20 for every one of
 * 450 queries; saving a batch of 64 embeddings from 1,218 to 1,069 ms and 1,443 to 1,365 ms (the HNSW
 * index's upkeep dominates). The package's Kysely helpers (`cosineDistance`) send the query vector as
 * text, so they are not used.
 *
 * The value stored is the one text would give: both round each number to the nearest float4 (they
 * could differ by one float4 step only for a number exactly halfway between two, as text goes through
 * decimal first; vector.test.ts compares them).
 *
 * Both databases take this unchanged: the embedded PGlite is reached over the wire protocol with the
 * same `pg` driver (embedded-server.ts), so the registration and the binary parameters are the same.
 */
import { type RawBuilder, sql } from "kysely";
import type pg from "pg";
import pgvector from "pgvector/pg";

declare const vectorValue: unique symbol;
/**
 * A vector on its way to Postgres (`toVector`): the generated schema types take only this for a
 * vector column, since a plain array would reach Postgres as an array literal (`{1,2}`), not a vector.
 */
export type VectorValue = RawBuilder<number[]> & { readonly [vectorValue]: true };

/** pgvector's binary input for `values` (each rounded to float4, as Postgres stores it). */
export function vectorBinary(values: ArrayLike<number>): Buffer {
  const buffer = Buffer.allocUnsafe(4 + 4 * values.length);
  buffer.writeInt16BE(values.length, 0);
  buffer.writeInt16BE(0, 2);
  for (let i = 0; i < values.length; i++) buffer.writeFloatBE(values[i] as number, 4 + 4 * i);
  return buffer;
}

/** `values` as a `vector` parameter, sent in binary (pg sends a Buffer parameter in binary format). */
export function toVector(values: ArrayLike<number>): VectorValue {
  if (!values.length) throw new Error("toVector: a vector needs at least one dimension");
  return sql<number[]>`${vectorBinary(values)}::vector` as VectorValue;
}

const registered = new WeakSet<pg.Pool>();

/**
 * Every connection the pool opens parses `vector` columns into `number[]` (pgvector's registerTypes:
 * one lookup of the type's oid per connection, which pg runs before any query the caller queues).
 * A connection opened before the extension exists (the first migration creates it) retries on its next
 * checkout, so a pool that migrated a fresh database reads vectors like any other.
 */
export function registerVectorType(pool: pg.Pool): void {
  if (registered.has(pool)) return;
  registered.add(pool);
  const pending = new WeakSet<pg.PoolClient>();
  const register = (client: pg.PoolClient) => {
    pending.delete(client);
    pgvector.registerTypes(client).catch(() => pending.add(client));
  };
  pool.on("connect", register);
  pool.on("acquire", (client) => {
    if (pending.has(client)) register(client);
  });
}
