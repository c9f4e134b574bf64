/** How the studio jobs run (the definitions, which the service enqueues, are in studio.jobs.ts). */
import { handle } from "../jobs/worker-deps.ts";
import { generationsHandlers } from "./generations.handlers.ts";
import { fetchStats } from "./reels.service.ts";
import { fetchReelStatsJob } from "./studio.jobs.ts";

export const studioHandlers = [
  ...generationsHandlers,
  handle(fetchReelStatsJob, async (data, { db, storage, reelStats, log }) => {
    const outcome = await fetchStats({ db, storage, reelStats, log }, data);
    log.info({ reelId: data.reelId, outcome }, "reel stats fetched");
  }),
];
