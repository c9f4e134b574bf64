/** Browser-safe publishing schemas and types (zod only): `@inkwell/domain/publishing/schemas`. */

// X's own counting (twitter-text), the one function the writer and publishing share.
export { X_MAX_WEIGHTED_LENGTH, xLength } from "../platform/x-length.ts";
export * from "./connections.schemas.ts";
export { PLATFORM_NAMES } from "./platforms/errors.ts";
// The per-platform validator the server runs before scheduling, for the composer's live counts.
// Markdown as X, Threads and LinkedIn show it (the composer previews what is sent).
export { markdownToText, publishedText } from "./platforms/markdown-text.ts";
export { charLength, lengthOn, PLATFORM_LIMITS, validatePost, xWeightedLength } from "./platforms/validate.ts";
export * from "./posts.schemas.ts";
// The server's rule for a picked wall-clock time (a spring-forward gap is refused, a repeated hour takes
// the first): the composer checks with the same function, so it refuses what the server would refuse.
export { isValidTimeZone, type LocalTimeResult, localTimeOf, resolveLocalTime } from "./posts.time.ts";
