/**
 * The platforms' limits and the one validator the server also runs before scheduling, from the
 * browser-safe schemas entry, so that the composer's live counts agree with what scheduling accepts.
 */

export type { PlatformKind, ValidationIssue } from "@inkwell/domain/publishing/platforms";
export {
  connectWordPressInput,
  lengthOn,
  PLATFORM_LIMITS,
  PLATFORM_NAMES,
  validatePost,
} from "@inkwell/domain/publishing/schemas";
