/** Every suite, in the order `pnpm bench` runs them when none is named. Add new ones here. */
import type { Suite } from "../lib/suite.ts";
import { bookRender } from "./book-render.ts";
import { chatTtft } from "./chat-ttft.ts";
import { creditsCharge } from "./credits-charge.ts";
import { imageGenerations } from "./image-generations.ts";
import { jobDispatch } from "./job-dispatch.ts";
import { knowledgeSearch } from "./knowledge-search.ts";
import { liveLeaderboard } from "./live-leaderboard.ts";
import { publishLag } from "./publish-lag.ts";
import { queueThroughput } from "./queue-throughput.ts";
import { readScale } from "./read-scale.ts";
import { rlsRead } from "./rls-read.ts";
import { signinTiming } from "./signin-timing.ts";
import { studyDueQueue } from "./study-due-queue.ts";

export const suites: Suite[] = [
  rlsRead,
  creditsCharge,
  signinTiming,
  chatTtft,
  knowledgeSearch,
  publishLag,
  jobDispatch,
  queueThroughput,
  readScale,
  bookRender,
  imageGenerations,
  studyDueQueue,
  liveLeaderboard,
];
