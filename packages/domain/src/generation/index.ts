/**
 * Public API of the generation module: the one engine behind every detached, streamed generation
 * (chat replies, writer outputs, and the ones to come). Tables stay with the modules that own them:
 * they hand the engine their writes and reads as callbacks.
 */
export { GenerationBus, MAX_NOTIFY_BYTES, NOTIFY_CHANNEL, REFETCH, type Refetch } from "./generation.bus.ts";
export {
  defaultEngine,
  type Generation,
  GenerationEngine,
  type Launched,
  sweepStale,
  type WriteBehind,
  writeBehind,
} from "./generation.engine.ts";
export { follow, type Step } from "./generation.stream.ts";
export {
  cleanTitle,
  cutToGraphemes,
  generateTitle,
  MAX_TITLE_CHARS,
  titleRequest,
  truncateGraphemes,
} from "./generation.titles.ts";
