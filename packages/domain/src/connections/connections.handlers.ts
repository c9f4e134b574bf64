/** How the connections jobs run (the definitions, which services enqueue, are in connections.jobs.ts). */

import { handle } from "../jobs/worker-deps.ts";
import { refreshConnectionJob, sweepConnectionsJob } from "./connections.jobs.ts";
import * as connections from "./connections.service.ts";

export const connectionsHandlers = [
  handle(refreshConnectionJob, async (data, deps) => {
    const outcome = await connections.refreshConnection(deps, data.connectionId);
    if (outcome !== "not_due") deps.log.info({ connectionId: data.connectionId, outcome }, "connection refresh");
  }),
  handle(sweepConnectionsJob, async (_data, deps) => {
    const done = await connections.sweep(deps);
    if (done.enqueued || done.statesDeleted) deps.log.info(done, "connection sweep");
  }),
];
