/**
 * pg-boss wiring shared by api (to enqueue) and worker (to run). A job is declared once, next to its
 * module (`<module>.jobs.ts`), as a JobDefinition: queue name `<module>.<verb-noun>`, payload schema,
 * queue options, optional cron schedule and the worker dependencies it needs. Its handler lives apart
 * (`<module>.handlers.ts`), so a service can enqueue a job without importing the code that runs it.
 * Enqueueing goes through the caller's transaction (pg-boss `send(..., { db })`), so a row and the job
 * about it commit or roll back together.
 *
 * This file is platform: it knows no module. What the dependencies are is the job registry's business
 * (packages/domain/src/jobs); here they are only names.
 */
import { createDb, type Database, type Tx } from "@inkwell/db";
import { sql } from "kysely";
import { fromKysely, type Job, type JobResult, PgBoss, type Queue, type SendOptions } from "pg-boss";
import type { z } from "zod";

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * What a job may need from the worker beyond the database and the log (see WorkerDeps in
 * packages/domain/src/jobs): the worker refuses to start when a registered job's need is missing.
 */
export type JobNeed = "ai" | "mailer" | "keyRing" | "publishing" | "enqueue" | "storage" | "reelStats" | "printVendor";

export interface JobDefinition<S extends z.ZodType = z.ZodType, N extends JobNeed = JobNeed> {
  name: string;
  schema: S;
  queue?: Omit<Queue, "name">;
  /** Cron (minute precision), for periodic maintenance only. */
  schedule?: string;
  /**
   * How the worker fetches and runs this queue (defaults: poll every WORKER_POLL_SECONDS, batches of 10
   * run one by one). `concurrent` runs a batch's jobs at once (jobs that wait, e.g. for a due instant).
   */
  work?: { pollingIntervalSeconds?: number; batchSize?: number; localConcurrency?: number; concurrent?: boolean };
  /** The worker dependencies the handler uses (besides db and log). */
  needs?: readonly N[];
}

/**
 * Work options for a queue of many short jobs: batches of 200 run concurrently, two fetchers. Measured
 * with no-op jobs (bench queue-throughput, native Postgres): ~3,800 jobs/s, against ~230 jobs/s with the
 * defaults (batches of 10 run one by one), whose per-batch fetch + complete round trips dominate.
 */
export const THROUGHPUT_WORK = { batchSize: 200, localConcurrency: 2, concurrent: true } as const;

export function defineJob<S extends z.ZodType, const N extends JobNeed = never>(job: JobDefinition<S, N>): JobDefinition<S, N> {
  return job;
}

/** A definition with the function that runs it, as the worker registers it. */
export interface JobHandler<D = unknown> {
  job: JobDefinition;
  run(data: unknown, deps: D): Promise<void>;
}

export type Enqueue = <S extends z.ZodType>(
  tx: Tx,
  job: JobDefinition<S, JobNeed>,
  data: z.input<S>,
  options?: SendOptions,
) => Promise<void>;

export const QUEUE_SCHEMA = "pgboss";

/**
 * A pg-boss instance on our schema. With `listenNotify` (the default) it holds one extra connection
 * LISTENing on pg-boss's channel: a job sent to a queue with `notify` (every queue, see prepareQueues)
 * fires a pg_notify inside the enqueuing transaction, which Postgres delivers at commit, and the idle
 * workers of that queue fetch at once instead of at their next poll (505 ms → a few ms, see
 * docs/ARCHITECTURE.md "Performance: queue and publishing"). The notification is only a wake-up: the
 * fetch is pg-boss's usual locking one, so exactly-once is unchanged, and polling keeps running at its
 * usual rate as the safety net (deferred jobs, a lost listener connection, and the embedded database,
 * whose single shared session hands the notification to the sender's socket, not the listener's).
 */
export function createBoss(
  url: string,
  options: {
    supervise?: boolean;
    schedule?: boolean;
    max?: number;
    superviseIntervalSeconds?: number;
    listenNotify?: boolean;
  } = {},
): PgBoss {
  return new PgBoss({
    connectionString: url,
    schema: QUEUE_SCHEMA,
    max: options.max ?? 4,
    supervise: options.supervise ?? true,
    schedule: options.schedule ?? true,
    useListenNotify: options.listenNotify ?? true,
    ...(options.superviseIntervalSeconds
      ? { superviseIntervalSeconds: options.superviseIntervalSeconds, monitorIntervalSeconds: options.superviseIntervalSeconds }
      : {}),
  });
}

export function createEnqueue(boss: PgBoss): Enqueue {
  return async (tx, job, data, options) => {
    const payload = job.schema.parse(data);
    await boss.send(job.name, payload as object, { ...options, db: fromKysely(tx) });
  };
}

/**
 * Creates the queues (idempotent) and lets the app roles enqueue from inside their transactions.
 *
 * The api and the workers run this as they start, often together (a deploy, `pnpm dev`). Concurrent
 * GRANTs on the same object fail with "tuple concurrently updated" (they rewrite the same catalog row),
 * and one process's create_queue attaching a partition can meet another's GRANT the same way; that
 * crashed the api on first starts. So the whole preparation runs under one advisory lock, held by a
 * session lock on a connection of its own (not a transaction: the pg-boss calls use pg-boss's pool,
 * and on the embedded database an open transaction would block them).
 */
export async function prepareQueues(
  boss: PgBoss,
  db: Database,
  jobs: readonly JobDefinition[],
  options: { directUrl?: string | undefined } = {},
): Promise<void> {
  // A session lock needs a session of its own: with a pooler in transaction mode in front of `db`, the
  // lock would be taken and released on different server connections. `directUrl` bypasses it.
  if (options.directUrl) {
    const direct = createDb({ url: options.directUrl, max: 1, applicationName: "inkwell-prepare-queues" }).db;
    try {
      return await prepareQueues(boss, direct, jobs);
    } finally {
      await direct.destroy();
    }
  }
  await db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(hashtext(${PREPARE_QUEUES_LOCK}))`.execute(conn);
    try {
      await prepareQueuesLocked(boss, conn, jobs);
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtext(${PREPARE_QUEUES_LOCK}))`.execute(conn);
    }
  });
}

const PREPARE_QUEUES_LOCK = "inkwell.prepare-queues";

async function prepareQueuesLocked(boss: PgBoss, db: Database, jobs: readonly JobDefinition[]): Promise<void> {
  for (const job of jobs) {
    // Every queue notifies its workers at commit unless its definition says otherwise (see createBoss).
    const options = { notify: true, ...job.queue };
    // api and worker may start together: create under pg-boss's advisory lock, then bring options up to date.
    if (!(await boss.getQueue(job.name))) await boss.createQueue(job.name, options);
    else {
      // Policy and partitioning are fixed at creation; pg-boss refuses to "update" them even to the same value.
      const { policy: _policy, partition: _partition, ...changeable } = options;
      await boss.updateQueue(job.name, changeable);
    }
  }
  // Enqueueing inside an RLS transaction runs pg-boss's INSERT as inkwell_user / inkwell_system.
  // They may add jobs (reading back only the new job's id) and read queue settings; they cannot read
  // or change other jobs.
  await sql
    .raw(
      `GRANT USAGE ON SCHEMA ${QUEUE_SCHEMA} TO inkwell_user, inkwell_system;
       GRANT SELECT ON ${QUEUE_SCHEMA}.queue TO inkwell_user, inkwell_system;
       DO $$ DECLARE t text; BEGIN
         FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'start_after'
                  WHERE n.nspname = '${QUEUE_SCHEMA}' AND c.relkind IN ('r', 'p') LOOP
           EXECUTE format('GRANT INSERT, SELECT (id, start_after) ON ${QUEUE_SCHEMA}.%I TO inkwell_user, inkwell_system', t);
         END LOOP;
       END $$;`,
    )
    .execute(db);
}

/**
 * Starts a pg-boss worker per job definition and its cron schedule. Jobs are fetched in batches (and
 * fetched again at once while batches come back full) and settled one by one: each job's payload is
 * validated before its handler runs, and a job whose handler throws is failed on its own, so pg-boss
 * retries just that one with the queue's backoff.
 */
export async function registerJobs<D extends { log: Logger }>(
  boss: PgBoss,
  handlers: readonly JobHandler<D>[],
  deps: D,
  options: { pollingIntervalSeconds?: number; batchSize?: number } = {},
): Promise<void> {
  for (const handler of handlers) {
    const { job } = handler;
    const polling = job.work?.pollingIntervalSeconds ?? options.pollingIntervalSeconds ?? 1;
    await boss.work(
      job.name,
      {
        pollingIntervalSeconds: polling,
        // NOTIFY wakes an idle worker at commit; the poll stays at its usual rate as the safety net
        // (deferred jobs are never notified, and the embedded database delivers no notifications).
        notifyPollingIntervalSeconds: polling,
        batchSize: job.work?.batchSize ?? options.batchSize ?? 10,
        ...(job.work?.localConcurrency ? { localConcurrency: job.work.localConcurrency } : {}),
        burstWhenBatchFull: true,
        perJobResults: true,
      },
      async (batch) => {
        if (job.work?.concurrent) return Promise.all(batch.map((raw) => runOne(handler, raw, deps)));
        const results: JobResult[] = [];
        for (const raw of batch) results.push(await runOne(handler, raw, deps));
        return results;
      },
    );
    if (job.schedule) await boss.schedule(job.name, job.schedule, {}, { tz: "UTC" });
  }
}

async function runOne<D extends { log: Logger }>(handler: JobHandler<D>, raw: Job<unknown>, deps: D): Promise<JobResult> {
  const { job } = handler;
  const started = performance.now();
  const parsed = job.schema.safeParse(raw.data ?? {});
  if (!parsed.success) {
    deps.log.error({ queue: job.name, jobId: raw.id, issues: parsed.error.issues }, "job payload invalid");
    return { id: raw.id, status: "failed", output: { message: `invalid payload for ${job.name}` } };
  }
  try {
    await handler.run(parsed.data, deps);
    deps.log.info({ queue: job.name, jobId: raw.id, ms: Math.round(performance.now() - started) }, "job done");
    return { id: raw.id, status: "completed" };
  } catch (err) {
    deps.log.warn({ queue: job.name, jobId: raw.id, err }, "job failed (will retry if attempts remain)");
    return { id: raw.id, status: "failed", output: { message: err instanceof Error ? err.message : String(err) } };
  }
}
