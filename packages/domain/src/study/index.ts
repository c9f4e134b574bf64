/** Public API of the study module (issue 15): the library, study modes, review, results and sharing. */

export * as library from "./library.api.ts";
export type { LibraryDeps } from "./library.generate.ts";
export * from "./library.inputs.ts";
export * from "./library.schemas.ts";
export type { StudyItemsPage } from "./library.service.ts";
export * from "./live.schemas.ts";
export * as live from "./live.service.ts";
export * from "./quiz.schemas.ts";
export type { QuizDeps } from "./quiz.service.ts";
export * as quiz from "./quiz.service.ts";
export * from "./results.schemas.ts";
export * as results from "./results.service.ts";
export * from "./review.schemas.ts";
export * as review from "./review.service.ts";
export * from "./sharing.schemas.ts";
export * as sharing from "./sharing.service.ts";
export * from "./writing.schemas.ts";
export type { WritingDeps } from "./writing.service.ts";
export * as writing from "./writing.service.ts";
