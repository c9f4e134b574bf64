/** Public API of the study module (issue 15): the library, study modes, review, results and sharing. */

export * from "./library.schemas.ts";
