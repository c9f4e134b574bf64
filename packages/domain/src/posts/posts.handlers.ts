/** How the posts jobs run (the definitions, which services enqueue, are in posts.jobs.ts). */
import { handle } from "../jobs/worker-deps.ts";
import { publishPostJob, sweepPostsJob } from "./posts.jobs.ts";
import { runPublishJob, sweepStranded } from "./posts.publisher.ts";

export const postsHandlers = [
  handle(publishPostJob, async (data, deps) => {
    await runPublishJob(deps, data);
  }),
  handle(sweepPostsJob, async (_data, deps) => {
    const swept = await sweepStranded(deps);
    if (swept) deps.log.info({ swept }, "re-enqueued stranded posts");
  }),
];
