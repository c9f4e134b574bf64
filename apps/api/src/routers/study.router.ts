import { router } from "../trpc/init.ts";
import { studyLibraryRouter } from "./study-library.router.ts";
import { studyLiveRouter } from "./study-live.router.ts";
import { studyQuizRouter, studyResultsRouter, studyWritingRouter } from "./study-results.router.ts";
import { studyReviewRouter } from "./study-review.router.ts";
import { studySharingRouter } from "./study-sharing.router.ts";

/**
 * The study workspace (issue 15). Each part has its own router file; this one only names them (one line
 * each), so the parts never edit the same lines.
 */
export const studyRouter = router({
  library: studyLibraryRouter,
  review: studyReviewRouter,
  quiz: studyQuizRouter,
  writing: studyWritingRouter,
  results: studyResultsRouter,
  sharing: studySharingRouter,
  live: studyLiveRouter,
});
