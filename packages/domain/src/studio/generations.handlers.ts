/** How the generation jobs run (definitions in generations.jobs.ts; the work in generations.service.ts). */
import { handle } from "../jobs/worker-deps.ts";
import { cancelAtProviderJob, pollGenerationJob, submitGenerationJob, sweepGenerationsJob } from "./generations.jobs.ts";
import { runCancelAtProvider, runPoll, runSubmit, sweep } from "./generations.worker.ts";

/** A shorter first poll for tests and the bench (IMAGE_GENERATION_FIRST_POLL_MS); 2 s otherwise. */
const tuned = <D extends object>(deps: D) => {
  const first = Number(process.env.IMAGE_GENERATION_FIRST_POLL_MS);
  return Number.isFinite(first) && first > 0 ? { ...deps, firstPollMs: first } : deps;
};

export const generationsHandlers = [
  handle(submitGenerationJob, async (data, deps) => {
    const outcome = await runSubmit(tuned(deps), data);
    deps.log.info({ generationId: data.generationId, outcome }, "image generation submitted");
  }),
  handle(pollGenerationJob, async (data, deps) => {
    const outcome = await runPoll(tuned(deps), data);
    if (outcome !== "waiting" && outcome !== "stale")
      deps.log.info({ generationId: data.generationId, outcome }, "image generation polled");
  }),
  handle(cancelAtProviderJob, async (data, deps) => {
    const outcome = await runCancelAtProvider(deps, data);
    deps.log.info({ generationId: data.generationId, outcome }, "image generation cancelled at the image API");
  }),
  handle(sweepGenerationsJob, async (_data, deps) => {
    const { redriven } = await sweep(deps);
    if (redriven) deps.log.warn({ redriven }, "stuck image generations re-driven");
  }),
];
