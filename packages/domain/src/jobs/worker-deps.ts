/**
 * What the worker hands a job's handler. A job declares the dependencies it needs (`needs` in its
 * definition); its handler is typed to receive exactly those, and the worker refuses to start when a
 * registered job needs one it was not given (rather than the job throwing on its first run).
 */
import type { Database } from "@inkwell/db";
import type { z } from "zod";
import type { AiProvider } from "../ai/index.ts";
import type { PrintVendorRuntime } from "../books/index.ts";
import type { Storage } from "../files/index.ts";
import type { Enqueue, JobDefinition, JobHandler, JobNeed, KeyRing, Logger, Mailer } from "../platform/index.ts";
import type { PublishingRuntime } from "../platforms/index.ts";
import type { ReelStatsClient } from "../studio/index.ts";

export interface WorkerDeps {
  db: Database;
  log: Logger;
  ai?: AiProvider;
  mailer?: Mailer;
  /** Opens stored secrets (publishing tokens). */
  keyRing?: KeyRing;
  /** Platform adapters and configuration for the publishing jobs. */
  publishing?: PublishingRuntime;
  /** For jobs that enqueue others (e.g. the connection refresh sweep). */
  enqueue?: Enqueue;
  /** Where uploaded files live (the orphan sweep, publishing media). */
  storage?: Storage;
  /** Where reel view counts come from (studio). */
  reelStats?: ReelStatsClient;
  /** The print vendor (book orders; the local sandbox printer by default). */
  printVendor?: PrintVendorRuntime;
}

// Every need names a WorkerDeps member (a compile error here if the two lists drift).
type _NeedsAreDeps = JobNeed extends keyof WorkerDeps ? true : never;
const _needsAreDeps: _NeedsAreDeps = true;
void _needsAreDeps;

/** The deps a handler of a job needing N receives: db, log and each need, present. */
export type DepsFor<N extends JobNeed> = Pick<WorkerDeps, "db" | "log"> & { [K in N]-?: NonNullable<WorkerDeps[K]> };

/** Pairs a definition with its handler, typed by the definition's payload schema and needs. */
export function handle<S extends z.ZodType, N extends JobNeed>(
  job: JobDefinition<S, N>,
  run: (data: z.output<S>, deps: DepsFor<N>) => Promise<void>,
): JobHandler<WorkerDeps> {
  return { job: job as JobDefinition, run: run as JobHandler<WorkerDeps>["run"] };
}

/** Where each dependency comes from, for the message a misconfigured worker stops with. */
export const NEED_SOURCES: Record<JobNeed, string> = {
  ai: "an AI provider (AI_PROVIDER)",
  mailer: "a mailer (SMTP_URL)",
  keyRing: "the key ring (INKWELL_ENCRYPTION_KEYS)",
  publishing: "the publishing runtime (PUBLISHING_SANDBOX_URL or the platforms' client ids)",
  enqueue: "an enqueue function",
  storage: "file storage (STORAGE_*)",
  reelStats: "the reel stats service (REEL_STATS_URL, the local sandbox by default)",
  printVendor: "the print vendor (PRINT_API_URL, the local sandbox printer by default)",
};

/** Each registered job's declared needs that `deps` lacks, as readable lines (empty when complete). */
export function missingNeeds(handlers: readonly JobHandler<WorkerDeps>[], deps: WorkerDeps): string[] {
  const missing: string[] = [];
  for (const { job } of handlers) {
    for (const need of job.needs ?? []) {
      if (deps[need] == null) missing.push(`${job.name} needs ${need}: ${NEED_SOURCES[need]}`);
    }
  }
  return missing;
}

/** Refuses a worker whose deps miss what one of its jobs needs, naming the job and the dependency. */
export function assertWorkerDeps(handlers: readonly JobHandler<WorkerDeps>[], deps: WorkerDeps): void {
  const missing = missingNeeds(handlers, deps);
  if (missing.length) throw new Error(`The worker is missing dependencies its jobs need:\n  ${missing.join("\n  ")}`);
}
