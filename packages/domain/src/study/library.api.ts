/** The `library` namespace of the study module: the service and generation, as one. */

export { generate, type LibraryDeps } from "./library.generate.ts";
export * from "./library.service.ts";
