/**
 * The worker's side of the job registry (`@inkwell/domain/jobs/handlers`): a handler for exactly each
 * registered definition, the dependencies they run with, and the check that refuses a worker missing
 * one of them.
 */
import { accountHandlers } from "../account/account.handlers.ts";
import { booksHandlers } from "../books/books.handlers.ts";
import { bookOrdersHandlers } from "../books/books-orders.handlers.ts";
import { chatHandlers } from "../chat/chat.handlers.ts";
import { classroomsHandlers } from "../classrooms/classrooms.handlers.ts";
import { connectionsHandlers } from "../connections/connections.handlers.ts";
import { creditsHandlers } from "../credits/credits.handlers.ts";
import { filesHandlers } from "../files/files.handlers.ts";
import { identityHandlers } from "../identity/identity.handlers.ts";
import { knowledgeHandlers } from "../knowledge/knowledge.handlers.ts";
import { paymentsHandlers } from "../payments/payments.handlers.ts";
import type { JobDefinition, JobHandler } from "../platform/index.ts";
import { postsHandlers } from "../posts/posts.handlers.ts";
import { storiesHandlers } from "../stories/stories.handlers.ts";
import { storiesMediaHandlers } from "../stories/stories-media.handlers.ts";
import { generationsHandlers } from "../studio/generations.handlers.ts";
import { studioHandlers } from "../studio/studio.handlers.ts";
import { usageHandlers } from "../usage/usage.handlers.ts";
import { voiceHandlers } from "../voice/voice.handlers.ts";
import { writerSessionHandlers } from "../writer/writer-sessions.handlers.ts";
import { allJobs } from "./index.ts";
import type { WorkerDeps } from "./worker-deps.ts";

export { allJobs } from "./index.ts";
export { assertWorkerDeps, type DepsFor, handle, missingNeeds, NEED_SOURCES, type WorkerDeps } from "./worker-deps.ts";

const moduleHandlers: readonly JobHandler<WorkerDeps>[] = [
  ...identityHandlers,
  ...creditsHandlers,
  ...usageHandlers,
  ...chatHandlers,
  ...knowledgeHandlers,
  ...writerSessionHandlers,
  ...filesHandlers,
  ...connectionsHandlers,
  ...postsHandlers,
  ...voiceHandlers,
  ...paymentsHandlers,
  ...storiesHandlers,
  ...storiesMediaHandlers,
  ...studioHandlers,
  ...generationsHandlers,
  ...accountHandlers,
  ...bookOrdersHandlers,
  ...booksHandlers,
  ...classroomsHandlers,
];

/** Every registered job with its handler, in registry order; a definition without one fails here, at load. */
export const allHandlers: readonly JobHandler<WorkerDeps>[] = allJobs.map((job) => {
  const found = moduleHandlers.find((h) => h.job === job);
  if (!found) throw new Error(`job ${job.name} has no handler`);
  return found;
});

const unregistered = moduleHandlers.filter((h) => !allJobs.includes(h.job));
if (unregistered.length) throw new Error(`handlers for unregistered jobs: ${unregistered.map((h) => h.job.name).join(", ")}`);

/** The handlers of the given jobs (tests register a few). */
export function handlersFor(jobs: readonly JobDefinition[]): JobHandler<WorkerDeps>[] {
  return jobs.map((job) => {
    const found = allHandlers.find((h) => h.job === job);
    if (!found) throw new Error(`job ${job.name} is not registered`);
    return found;
  });
}

/** Runs one job's handler directly (tests, scripts): the payload is parsed as the worker would. */
export async function runJob<S extends JobDefinition>(job: S, data: unknown, deps: WorkerDeps): Promise<void> {
  const [handler] = handlersFor([job]);
  if (!handler) throw new Error(`job ${job.name} is not registered`);
  await handler.run(job.schema.parse(data), deps);
}
