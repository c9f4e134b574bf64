/**
 * Publishing platform adapters: real HTTP clients for X, LinkedIn, Threads and WordPress behind one
 * interface, PKCE/state helpers, classified errors, and the runtime (which platform is where, from the
 * environment) that the connections and posts modules share. The sandbox platform is in ./testing.
 */

export { createPlatformAdapters, type PlatformAdapters } from "./adapters.ts";
export type {
  LinkedInConfig,
  OAuthPlatformConfig,
  PlatformsConfig,
  WordPressConfig,
} from "./config.ts";
export { DEFAULT_TIMEOUT_MS, realPlatformsConfig, SANDBOX_CLIENT, sandboxPlatformsConfig } from "./config.ts";
export { isPlatformError, PLATFORM_NAMES, PlatformError, type PlatformErrorKind } from "./errors.ts";
export type { HttpDeps } from "./http.ts";
export { createLinkedInAdapter, escapeLittleText, unescapeLittleText } from "./linkedin.ts";
export { markdownToText, publishedText } from "./markdown-text.ts";
export { codeChallengeFor, createOAuthState, createPkcePair, type PkcePair, readOAuthCallback } from "./pkce.ts";
export type * from "./platform.types.ts";
export {
  type PublishingEnv,
  type PublishingRuntime,
  publishingEnvSchema,
  publishingRuntime,
  publishingRuntimeFromEnv,
  sandboxPublishingRuntime,
} from "./platforms.runtime.ts";
export {
  isPrivateAddress,
  PrivateAddressError,
  publicAddressesOf,
  publicOnlyFetch,
  type ResolveHost,
  resolveHost,
} from "./public-address.ts";
export { createThreadsAdapter } from "./threads.ts";
export { charLength, lengthOn, PLATFORM_LIMITS, validatePost, xWeightedLength } from "./validate.ts";
export { createWordPressAdapter, wordpressSlug } from "./wordpress.ts";
export { createXAdapter } from "./x.ts";
