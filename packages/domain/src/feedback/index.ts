/** Public API of the feedback module: bug reports and feedback, and their admin workflow. */

export * from "./feedback.schemas.ts";
export * as feedback from "./feedback.service.ts";
