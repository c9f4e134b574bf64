/** Browser-safe platform rules (zod and pure functions only): `@inkwell/domain/platforms/schemas`. */

// X's own counting (twitter-text), the one function the writer and publishing share.
export { X_MAX_WEIGHTED_LENGTH, xLength } from "../platform/x-length.ts";
export { PLATFORM_NAMES } from "./errors.ts";
// Markdown as X, Threads and LinkedIn show it (the composer previews what is sent).
export { markdownToText, publishedText } from "./markdown-text.ts";
export type { PlatformKind, ValidationIssue } from "./platform.types.ts";
// The per-platform validator the server runs before scheduling, for the composer's live counts.
export { charLength, lengthOn, PLATFORM_LIMITS, validatePost, xWeightedLength } from "./validate.ts";
