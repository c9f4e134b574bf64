import { createDb } from "@inkwell/db";
import { provisionTestDatabase } from "@inkwell/db/testing";
import { createBoss, prepareQueues } from "@inkwell/domain/platform";
import type { TestProject } from "vitest/node";
import { apiQueues } from "../src/deps.ts";

/** One migrated database (embedded, or fresh on DATABASE_URL's server) with pg-boss and its queues. */
export default async function setup(project: TestProject) {
  const database = await provisionTestDatabase();
  const { db } = createDb({ url: database.url, max: 2 });
  const boss = createBoss(database.url, { supervise: false, schedule: false, max: 2 });
  await boss.start();
  await prepareQueues(boss, db, apiQueues);
  await boss.stop({ graceful: false });
  await db.destroy();
  project.provide("databaseUrl", database.url);
  return () => database.teardown();
}
