/** Every job the worker runs, from every module. A module's jobs are added here once. */
import { identityJobs } from "@inkwell/domain/identity";
import type { JobDefinition } from "@inkwell/domain/platform";

export const allJobs: JobDefinition[] = [...identityJobs];
