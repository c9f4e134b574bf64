/**
 * The zero-configuration database: PGlite (Postgres compiled to WASM) with pgvector, served on
 * loopback (embedded-server.ts) so every part of Inkwell (api, worker, migrations, tests) talks
 * to it with the same `pg` driver it would use against a real server.
 *
 * PGlite is single-session; embedded-server.ts multiplexes client connections, one whole exchange
 * at a time and one transaction at a time. Consequence we design for: never hold a transaction open
 * across slow work, because while one is open every other connection waits.
 */
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { servePglite } from "./embedded-server.ts";

export interface EmbeddedDatabase {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Folder to persist to; omit for an in-memory database (tests). */
  dataDir?: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
}

export async function startEmbeddedDatabase(options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    extensions: { vector },
  });
  const host = options.host ?? "127.0.0.1";
  const server = await servePglite(db, { host, port: options.port ?? 0 });
  const port = server.port;
  return {
    port,
    url: `postgres://postgres@${host}:${port}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
