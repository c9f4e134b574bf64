export { loadWorkerEnv, type WorkerEnv } from "./env.ts";
export { allJobs } from "./jobs.ts";
export { type RunningWorker, startWorker } from "./worker.ts";
