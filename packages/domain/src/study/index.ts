/** Public API of the study module (issue 15): the library, study modes, review, results and sharing. */

export * from "./library.schemas.ts";
export * from "./library.inputs.ts";
export * as library from "./library.service.ts";
export type { StudyItemsPage } from "./library.service.ts";
