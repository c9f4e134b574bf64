export { loadWorkerEnv, type WorkerEnv } from "./env.ts";
export { allHandlers, allJobs } from "./jobs.ts";
export { type RunningWorker, startWorker } from "./worker.ts";
