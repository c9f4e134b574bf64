/**
 * How the studio jobs run (the definitions, which the service enqueues, are in studio.jobs.ts). The
 * generation jobs' handlers are in generations.handlers.ts, which only the registry imports.
 */
import { handle } from "../jobs/worker-deps.ts";
import { fetchStats } from "./reels.service.ts";
import { fetchReelStatsJob } from "./studio.jobs.ts";

export const studioHandlers = [
  handle(fetchReelStatsJob, async (data, { db, storage, reelStats, log }) => {
    const outcome = await fetchStats({ db, storage, reelStats, log }, data);
    log.info({ reelId: data.reelId, outcome }, "reel stats fetched");
  }),
];
