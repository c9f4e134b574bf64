/** One adapter per platform, built from the platforms' configuration. */
import type { PlatformsConfig } from "./config.ts";
import type { HttpDeps } from "./http.ts";
import { createLinkedInAdapter } from "./linkedin.ts";
import type { OAuthPlatformAdapter, WordPressAdapter } from "./platform.types.ts";
import { createThreadsAdapter } from "./threads.ts";
import { createWordPressAdapter } from "./wordpress.ts";
import { createXAdapter } from "./x.ts";

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
