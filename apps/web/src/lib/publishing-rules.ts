/**
 * The platforms' limits and the one validator the server also runs before scheduling, from the
 * browser-safe schemas entry, so that the composer's live counts agree with what scheduling accepts.
 */

export { connectWordPressInput } from "@inkwell/domain/connections/schemas";
export type { PlatformKind, ValidationIssue } from "@inkwell/domain/platforms/schemas";
export { lengthOn, PLATFORM_LIMITS, PLATFORM_NAMES, validatePost } from "@inkwell/domain/platforms/schemas";
