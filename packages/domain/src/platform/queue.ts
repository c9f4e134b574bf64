/**
 * pg-boss wiring shared by api (to enqueue) and worker (to run). A job is declared once, next to its
 * module, as a JobDefinition: queue name `<module>.<verb-noun>`, payload schema, queue options,
 * optional cron schedule and handler. Enqueueing goes through the caller's transaction (pg-boss
 * `send(..., { db })`), so a row and the job about it commit or roll back together.
 */
import { type Database, type Tx } from "@inkwell/db";
import { sql } from "kysely";
import { fromKysely, PgBoss, type Queue, type SendOptions } from "pg-boss";
import type { z } from "zod";
import type { Mailer } from "./mail.ts";

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface WorkerDeps {
  db: Database;
  mailer: Mailer;
  log: Logger;
}

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  schema: S;
  queue?: Omit<Queue, "name">;
  /** Cron (minute precision), for periodic maintenance only. */
  schedule?: string;
  handler(data: z.infer<S>, deps: WorkerDeps): Promise<void>;
}

export function defineJob<S extends z.ZodType>(job: JobDefinition<S>): JobDefinition<S> {
  return job;
}

export type Enqueue = <S extends z.ZodType>(
  tx: Tx,
  job: JobDefinition<S>,
  data: z.input<S>,
  options?: SendOptions,
) => Promise<void>;

export const QUEUE_SCHEMA = "pgboss";

export function createBoss(url: string, options: { supervise?: boolean; schedule?: boolean; max?: number } = {}): PgBoss {
  return new PgBoss({
    connectionString: url,
    schema: QUEUE_SCHEMA,
    max: options.max ?? 4,
    supervise: options.supervise ?? true,
    schedule: options.schedule ?? true,
  });
}

export function createEnqueue(boss: PgBoss): Enqueue {
  return async (tx, job, data, options) => {
    const payload = job.schema.parse(data);
    await boss.send(job.name, payload as object, { ...options, db: fromKysely(tx) });
  };
}

/** Creates the queues (idempotent) and lets the app roles enqueue from inside their transactions. */
export async function prepareQueues(boss: PgBoss, db: Database, jobs: JobDefinition[]): Promise<void> {
  const existing = new Set((await boss.getQueues()).map((q) => q.name));
  for (const job of jobs) {
    if (existing.has(job.name)) await boss.updateQueue(job.name, job.queue ?? {});
    else await boss.createQueue(job.name, job.queue ?? {});
  }
  // Enqueueing inside an RLS transaction runs pg-boss's INSERT as inkwell_user / inkwell_system.
  // They may add jobs and read queue settings; they cannot read or change other jobs.
  await sql
    .raw(
      `GRANT USAGE ON SCHEMA ${QUEUE_SCHEMA} TO inkwell_user, inkwell_system;
       GRANT SELECT ON ${QUEUE_SCHEMA}.queue TO inkwell_user, inkwell_system;
       GRANT INSERT ON ALL TABLES IN SCHEMA ${QUEUE_SCHEMA} TO inkwell_user, inkwell_system;`,
    )
    .execute(db);
}
