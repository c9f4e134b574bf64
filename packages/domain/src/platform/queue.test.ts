import { createDb } from "@inkwell/db";
import { provisionTestDatabase, type TestDatabase } from "@inkwell/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createBoss, defineJob, prepareQueues } from "./queue.ts";

const jobs = Array.from({ length: 12 }, (_, i) =>
  defineJob({
    name: `test.startup-${i}`,
    schema: z.object({}),
    queue: { retryLimit: 3, expireInSeconds: 60 },
  }),
);

let database: TestDatabase;
beforeAll(async () => {
  // A database of its own: the race is on the first start, before pg-boss's schema and grants exist.
  database = await provisionTestDatabase();
});
afterAll(() => database?.teardown());

describe("prepareQueues", () => {
  it("survives api and workers starting together on a fresh database", async () => {
    const { db } = createDb({ url: database.url, max: 8 });
    const bosses = Array.from({ length: 4 }, () => createBoss(database.url, { supervise: false, schedule: false, max: 2 }));
    try {
      const results = await Promise.allSettled(
        bosses.map(async (boss) => {
          await boss.start();
          await prepareQueues(boss, db, jobs);
        }),
      );
      const errors = results.flatMap((r) => (r.status === "rejected" ? [String(r.reason)] : []));
      expect(errors).toEqual([]);
      for (const job of jobs) expect((await bosses[0]!.getQueue(job.name))?.retryLimit).toBe(3);
    } finally {
      await Promise.all(bosses.map((b) => b.stop({ graceful: false }).catch(() => {})));
      await db.destroy();
    }
  });
});
