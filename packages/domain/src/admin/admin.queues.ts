/**
 * Queue health through pg-boss 12's own API (never its tables): depths per queue (`getQueues`), the
 * failed jobs of a queue with the error their handler left (`findJobs`), and retrying one (`retry`).
 * The api builds this port from its boss (deps.ts); the admin service only sees the port.
 */
import type { PgBoss } from "pg-boss";
import type { FailedJob, QueueDepth } from "./admin.schemas.ts";

export interface QueueAdmin {
  depths(): Promise<QueueDepth[]>;
  failedJobs(queue: string, limit: number): Promise<FailedJob[]>;
  /** False when the job is not a failed job of that queue (unknown, or not failed any more). */
  retry(queue: string, jobId: string): Promise<boolean>;
}

/** findJobs pages oldest first, with no filter by state: how far back to look for failures. */
const SCAN_PAGE = 1000;
const SCAN_PAGES = 5;

function errorText(output: unknown): string {
  if (output == null) return "(no error output)";
  if (typeof output === "string") return output;
  const o = output as { message?: unknown; stack?: unknown };
  if (typeof o.stack === "string") return o.stack;
  if (typeof o.message === "string") return o.message;
  return JSON.stringify(output);
}

export function pgBossQueueAdmin(boss: PgBoss): QueueAdmin {
  return {
    async depths() {
      // getQueues' counts are what the worker's monitor last cached (up to an hour old when no monitor
      // ran); getQueueStats with `force` recounts a queue unless it was counted in the last minute.
      const queues = await boss.getQueues();
      const depths: QueueDepth[] = [];
      for (const q of queues.sort((a, b) => a.name.localeCompare(b.name))) {
        const [s] = await boss.getQueueStats(q.name, { force: true });
        const c = s ?? { ...q, capturedOn: null };
        depths.push({
          name: q.name,
          queued: c.queuedCount,
          ready: c.readyCount,
          deferred: c.deferredCount,
          active: c.activeCount,
          failed: c.failedCount,
          total: c.totalCount,
          countedAt: c.capturedOn ?? null,
        });
      }
      return depths;
    },
    async failedJobs(queue, limit) {
      if (!(await boss.getQueue(queue))) return [];
      const failed: FailedJob[] = [];
      let after: string | undefined;
      for (let page = 0; page < SCAN_PAGES; page++) {
        let jobs: Awaited<ReturnType<typeof boss.findJobs<unknown>>>;
        try {
          jobs = await boss.findJobs<unknown>(queue, { limit: SCAN_PAGE, ...(after ? { after } : {}) });
        } catch (error) {
          // pg-boss throws a plain Error when `after` names a job its maintenance deleted since the
          // previous page: answer with what was found rather than a 500.
          if (after) break;
          throw error;
        }
        for (const j of jobs) {
          if (j.state !== "failed") continue;
          failed.push({
            id: j.id,
            queue,
            error: errorText(j.output).slice(0, 4000),
            retryCount: j.retryCount,
            retryLimit: j.retryLimit,
            createdOn: j.createdOn,
            completedOn: j.completedOn,
            data: j.data,
          });
        }
        if (jobs.length < SCAN_PAGE) break;
        after = jobs[jobs.length - 1]?.id;
      }
      // Newest failures first.
      return failed.sort((a, b) => (b.completedOn?.getTime() ?? 0) - (a.completedOn?.getTime() ?? 0)).slice(0, limit);
    },
    async retry(queue, jobId) {
      if (!(await boss.getQueue(queue))) return false;
      const [job] = await boss.findJobs(queue, { id: jobId });
      if (job?.state !== "failed") return false;
      // pg-boss 12 answers { affected } here, though its CommandResponse type declares no fields.
      const r = (await boss.retry(queue, jobId)) as { affected?: number };
      return (r.affected ?? 0) > 0;
    },
  };
}
