/**
 * The job registry: every module's job definitions, listed once. The API creates (and enqueues into)
 * exactly these queues and the worker runs exactly these (`./handlers.ts`), so the two cannot drift:
 * a queue the API sends to but never created would stall the embedded database mid-transaction.
 * Definitions only (no handler code), so importing this pulls in no service.
 */
import { accountJobs } from "../account/index.ts";
import { bookOrdersJobs, booksJobs } from "../books/index.ts";
import { chatJobs } from "../chat/index.ts";
import { classroomsJobs } from "../classrooms/index.ts";
import { connectionsJobs } from "../connections/index.ts";
import { creditsJobs } from "../credits/index.ts";
import { filesJobs } from "../files/index.ts";
import { identityJobs } from "../identity/index.ts";
import { knowledgeJobs } from "../knowledge/index.ts";
import { paymentsJobs } from "../payments/index.ts";
import type { JobDefinition } from "../platform/index.ts";
import { postsJobs } from "../posts/index.ts";
import { storiesJobs, storiesMediaJobs } from "../stories/index.ts";
import { studioJobs } from "../studio/index.ts";
import { usageJobs } from "../usage/index.ts";
import { voiceJobs } from "../voice/index.ts";
import { writerJobs } from "../writer/index.ts";

export const allJobs: readonly JobDefinition[] = [
  ...identityJobs,
  ...creditsJobs,
  ...usageJobs,
  ...chatJobs,
  ...knowledgeJobs,
  ...writerJobs,
  ...filesJobs,
  ...connectionsJobs,
  ...postsJobs,
  ...voiceJobs,
  ...paymentsJobs,
  ...storiesJobs,
  ...storiesMediaJobs,
  ...studioJobs,
  ...accountJobs,
  ...bookOrdersJobs,
  ...booksJobs,
  ...classroomsJobs,
];

const seen = new Set<string>();
for (const job of allJobs) {
  if (seen.has(job.name)) throw new Error(`job ${job.name} is registered twice`);
  seen.add(job.name);
}
