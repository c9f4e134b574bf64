/**
 * DATABASE_DIRECT_URL: with a pooler in transaction mode in front of DATABASE_URL, the sessions that
 * must stay one server connection (the generation bus's LISTEN, the queues' start-up lock) go direct.
 * Here both URLs name the same server; the direct one carries its own application_name, so
 * pg_stat_activity shows which connection each session used.
 */
import { randomBytes } from "node:crypto";
import { createDb } from "@inkwell/db";
import { generateKeySpec } from "@inkwell/domain/platform";
import { startLocalSmtpServer } from "@inkwell/domain/platform/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { createApiDeps } from "../src/deps.ts";
import { loadEnv } from "../src/env.ts";

const quiet = { info() {}, warn() {}, error() {} };
let smtp: Awaited<ReturnType<typeof startLocalSmtpServer>>;

beforeAll(async () => {
  smtp = await startLocalSmtpServer();
});
afterAll(async () => {
  await smtp.stop();
});

it("the API listens for other instances' generations on the direct connection", async (ctx) => {
  if (!process.env.DATABASE_URL) ctx.skip("needs a Postgres server: the embedded database delivers no notices");
  const url = inject("databaseUrl");
  const tag = `inkwell-direct-${randomBytes(4).toString("hex")}`;
  const direct = new URL(url);
  direct.searchParams.set("application_name", tag);
  const { close } = await createApiDeps(
    loadEnv({
      DATABASE_URL: url,
      DATABASE_DIRECT_URL: direct.toString(),
      SMTP_URL: smtp.url,
      INKWELL_ENCRYPTION_KEYS: generateKeySpec(),
    }),
    quiet,
  );
  const { db } = createDb({ url, max: 1 });
  try {
    const sessions = await sql<{ application_name: string; query: string }>`
      SELECT application_name, query FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN %'`.execute(
      db,
    );
    expect(sessions.rows.map((r) => r.application_name)).toContain(tag);
    expect(sessions.rows.filter((r) => r.application_name === "inkwell-api")).toEqual([]);
  } finally {
    await db.destroy();
    await close();
  }
});
