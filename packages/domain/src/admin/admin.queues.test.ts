import type { PgBoss } from "pg-boss";
import { describe, expect, it } from "vitest";
import { pgBossQueueAdmin } from "./admin.queues.ts";

type Job = {
  id: string;
  state: string;
  output: unknown;
  retryCount: number;
  retryLimit: number;
  createdOn: Date;
  completedOn: Date | null;
  data: unknown;
};
const job = (i: number, state = "completed"): Job => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
  state,
  output: state === "failed" ? { message: `boom ${i}` } : null,
  retryCount: 0,
  retryLimit: 0,
  createdOn: new Date(1_700_000_000_000 + i),
  completedOn: new Date(1_700_000_100_000 + i),
  data: { i },
});

describe("failed jobs of a queue", () => {
  it("answers with what it found when the page's last job is deleted before the next page (pg-boss then throws)", async () => {
    const first = Array.from({ length: 1000 }, (_, i) => job(i, i === 3 ? "failed" : "completed"));
    const boss = {
      getQueue: async () => ({ name: "q" }),
      findJobs: async (_name: string, options: { after?: string }) => {
        // As pg-boss 12 does when `after` names a job its maintenance deleted meanwhile.
        if (options.after) throw new Error("findJobs: after names a row that no longer exists");
        return first;
      },
    } as unknown as PgBoss;
    const failed = await pgBossQueueAdmin(boss).failedJobs("q", 20);
    expect(failed.map((f) => f.error)).toEqual(["boom 3"]);
  });
});
