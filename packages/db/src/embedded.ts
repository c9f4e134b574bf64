/**
 * The zero-configuration database: PGlite (Postgres compiled to WASM) with pgvector, served on
 * loopback through pglite-socket so every part of Inkwell (api, worker, migrations, tests) talks
 * to it with the same `pg` driver it would use against a real server.
 *
 * PGlite is single-session; pglite-socket multiplexes client connections and keeps a transaction's
 * statements together. Consequence we design for: never hold a transaction open across slow work,
 * because while one is open every other connection waits.
 */
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

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
  maxConnections?: number;
}

export async function startEmbeddedDatabase(options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    extensions: { vector },
  });
  const host = options.host ?? "127.0.0.1";
  const server = new PGLiteSocketServer({
    db,
    host,
    port: options.port ?? 0,
    maxConnections: options.maxConnections ?? 64,
  });
  await server.start();
  const conn = server.getServerConn(); // "host:port"
  const port = Number(conn.split(":").pop());
  return {
    port,
    url: `postgres://postgres@${host}:${port}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
