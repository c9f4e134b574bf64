/** Every job the worker runs, from every module. A module's jobs are added here once. */
import { chatJobs } from "@inkwell/domain/chat";
import { creditsJobs } from "@inkwell/domain/credits";
import { filesJobs } from "@inkwell/domain/files";
import { identityJobs } from "@inkwell/domain/identity";
import type { JobDefinition } from "@inkwell/domain/platform";
import { connectionsJobs, postsJobs } from "@inkwell/domain/publishing";
import { usageJobs } from "@inkwell/domain/usage";
import { voiceJobs } from "@inkwell/domain/voice";
import { writerJobs } from "@inkwell/domain/writer";

export const allJobs: JobDefinition[] = [
  ...identityJobs,
  ...creditsJobs,
  ...usageJobs,
  ...chatJobs,
  ...writerJobs,
  ...filesJobs,
  ...connectionsJobs,
  ...postsJobs,
  ...voiceJobs,
];
