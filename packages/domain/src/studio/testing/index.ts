/**
 * Studio test kit (`@inkwell/domain/studio/testing`): the local reel stats service that `pnpm dev`
 * and the tests point the `reel-stats` adapter at.
 */

export { insertFixtureAsset, mp4Video, solidImage } from "../assets.testing.ts";
export {
  defaultViews,
  type ReelStatsSandbox,
  type ReelStatsSandboxOptions,
  type SandboxReel,
  startReelStatsSandbox,
  thumbnailPng,
} from "./reel-stats-sandbox.ts";
export {
  SANDBOX_VOICES,
  sandboxDurationMs,
  sandboxWav,
  startTtsSandbox,
  type TtsSandbox,
  type TtsSandboxOptions,
  type TtsSandboxRequest,
} from "./tts-sandbox.ts";
