/**
 * Publishing platform adapters: real HTTP clients for X, LinkedIn, Threads and WordPress behind one
 * interface, PKCE/state helpers and classified errors. The sandbox platform is in ../testing.
 */
import type { PlatformsConfig } from "./config.ts";
import type { HttpDeps } from "./http.ts";
import { createLinkedInAdapter } from "./linkedin.ts";
import type { OAuthPlatformAdapter, WordPressAdapter } from "./platform.types.ts";
import { createThreadsAdapter } from "./threads.ts";
import { createWordPressAdapter } from "./wordpress.ts";
import { createXAdapter } from "./x.ts";

export type {
  LinkedInConfig,
  OAuthPlatformConfig,
  PlatformsConfig,
  WordPressConfig,
} from "./config.ts";
export { DEFAULT_TIMEOUT_MS, realPlatformsConfig, SANDBOX_CLIENT, sandboxPlatformsConfig } from "./config.ts";
export { isPlatformError, PLATFORM_NAMES, PlatformError, type PlatformErrorKind } from "./errors.ts";
export type { HttpDeps } from "./http.ts";
export { escapeLittleText, unescapeLittleText } from "./linkedin.ts";
export { codeChallengeFor, createOAuthState, createPkcePair, type PkcePair, readOAuthCallback } from "./pkce.ts";
export type * from "./platform.types.ts";
export { charLength, lengthOn, PLATFORM_LIMITS, validatePost, xWeightedLength } from "./validate.ts";
export { wordpressSlug } from "./wordpress.ts";
export { createLinkedInAdapter, createThreadsAdapter, createWordPressAdapter, createXAdapter };

export interface PlatformAdapters {
  x: OAuthPlatformAdapter;
  linkedin: OAuthPlatformAdapter;
  threads: OAuthPlatformAdapter;
  wordpress: WordPressAdapter;
}

export function createPlatformAdapters(config: PlatformsConfig, deps: HttpDeps = {}): PlatformAdapters {
  return {
    x: createXAdapter(config.x, deps),
    linkedin: createLinkedInAdapter(config.linkedin, deps),
    threads: createThreadsAdapter(config.threads, deps),
    wordpress: createWordPressAdapter(config.wordpress, deps),
  };
}
