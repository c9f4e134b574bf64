/** The `library` namespace of the study module: the service and generation, as one. */
export * from "./library.service.ts";
export { generate, type LibraryDeps } from "./library.generate.ts";
