/**
 * The platforms' limits and the one validator the server also runs, shared so that the composer's
 * live counts agree with what scheduling accepts.
 */
export {
  lengthOn,
  PLATFORM_LIMITS,
  PLATFORM_NAMES,
  type PlatformKind,
  type ValidationIssue,
  validatePost,
} from "@inkwell/domain/publishing/platforms";
export { connectWordPressInput } from "@inkwell/domain/publishing/schemas";
