/**
 * Where the publishing platforms are, from the environment (api and worker read the same variables).
 *
 * - `PUBLISHING_SANDBOX_URL` set: every platform is the sandbox platform (publishing/testing) at that
 *   URL — what `pnpm dev` starts when nothing else is configured, and what the tests use.
 * - Otherwise each OAuth platform is the real service once its client id and secret are set
 *   (`X_CLIENT_ID`/`X_CLIENT_SECRET`, `LINKEDIN_…`, `THREADS_…`); `<PLATFORM>_API_BASE_URL`,
 *   `_AUTHORIZE_URL` and `_TOKEN_URL` override its endpoints. An unconfigured platform cannot be
 *   connected. WordPress needs no server configuration (each user brings a site).
 */
import { z } from "zod";
import { createPlatformAdapters, type PlatformAdapters } from "./adapters.ts";
import { DEFAULT_TIMEOUT_MS, type PlatformsConfig, realPlatformsConfig, sandboxPlatformsConfig } from "./config.ts";
import type { HttpDeps } from "./http.ts";
import type { PlatformKind } from "./platform.types.ts";
import { publicOnlyFetch, type ResolveHost, resolveHost } from "./public-address.ts";
import { createWordPressAdapter } from "./wordpress.ts";

const optional = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));
const optionalUrl = optional.pipe(z.url().optional());

export const publishingEnvSchema = z.object({
  PUBLISHING_SANDBOX_URL: optionalUrl,
  PUBLISHING_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(DEFAULT_TIMEOUT_MS),
  X_CLIENT_ID: optional,
  X_CLIENT_SECRET: optional,
  X_API_BASE_URL: optionalUrl,
  X_AUTHORIZE_URL: optionalUrl,
  X_TOKEN_URL: optionalUrl,
  LINKEDIN_CLIENT_ID: optional,
  LINKEDIN_CLIENT_SECRET: optional,
  LINKEDIN_API_BASE_URL: optionalUrl,
  LINKEDIN_AUTHORIZE_URL: optionalUrl,
  LINKEDIN_TOKEN_URL: optionalUrl,
  THREADS_CLIENT_ID: optional,
  THREADS_CLIENT_SECRET: optional,
  THREADS_API_BASE_URL: optionalUrl,
  THREADS_AUTHORIZE_URL: optionalUrl,
  THREADS_TOKEN_URL: optionalUrl,
});

export type PublishingEnv = z.infer<typeof publishingEnvSchema>;

/** What the publishing module needs at run time, in the api and in the worker. */
export interface PublishingRuntime {
  platforms: PlatformsConfig;
  adapters: PlatformAdapters;
  /** Platforms a user can connect here (WordPress always). */
  configured: Record<PlatformKind, boolean>;
  /** Every platform is the local sandbox. */
  sandbox: boolean;
  /** The sandbox's feed page, for the web to link to. */
  sandboxFeedUrl: string | null;
  /**
   * The public base URL the OAuth callback is reached at (the app's URL: `/oauth/callback/:platform`
   * is served by the API, proxied by Vite in development). Null in the worker.
   */
  callbackBaseUrl: string | null;
  /** WordPress sites on loopback / plain http are accepted (the sandbox's site is http://127.0.0.1). */
  allowInsecureSites: boolean;
  /** How WordPress site names are resolved, for the early check (the adapter checks again at connect time). */
  resolveHost: ResolveHost;
}

export function publishingRuntime(
  input: {
    platforms: PlatformsConfig;
    configured?: Partial<Record<PlatformKind, boolean>>;
    sandboxUrl?: string | null;
    callbackBaseUrl?: string | null;
    allowInsecureSites?: boolean;
    /** Injected by tests (a name server that answers differently from one question to the next). */
    resolveHost?: ResolveHost;
  },
  deps: HttpDeps = {},
): PublishingRuntime {
  const sandbox = Boolean(input.sandboxUrl);
  const allowInsecureSites = input.allowInsecureSites ?? sandbox;
  const resolve = input.resolveHost ?? resolveHost;
  const adapters = createPlatformAdapters(input.platforms, deps);
  // A WordPress site is any address a user typed: unless private sites are allowed (sandbox, dev),
  // its connections go only to public addresses, checked as each socket connects.
  if (!allowInsecureSites)
    adapters.wordpress = createWordPressAdapter(input.platforms.wordpress, { fetch: publicOnlyFetch(resolve) });
  return {
    platforms: input.platforms,
    adapters,
    configured: {
      x: sandbox,
      linkedin: sandbox,
      threads: sandbox,
      wordpress: true,
      ...input.configured,
    },
    sandbox,
    sandboxFeedUrl: input.sandboxUrl ? `${input.sandboxUrl.replace(/\/+$/, "")}/sandbox/feed` : null,
    callbackBaseUrl: input.callbackBaseUrl?.replace(/\/+$/, "") ?? null,
    allowInsecureSites,
    resolveHost: resolve,
  };
}

/** Every platform at the sandbox platform (tests, `pnpm dev`). */
export function sandboxPublishingRuntime(sandboxUrl: string, callbackBaseUrl: string | null, timeoutMs?: number) {
  return publishingRuntime({ platforms: sandboxPlatformsConfig(sandboxUrl, timeoutMs), sandboxUrl, callbackBaseUrl });
}

export function publishingRuntimeFromEnv(env: PublishingEnv, callbackBaseUrl: string | null = null): PublishingRuntime {
  if (env.PUBLISHING_SANDBOX_URL) {
    return sandboxPublishingRuntime(env.PUBLISHING_SANDBOX_URL, callbackBaseUrl, env.PUBLISHING_TIMEOUT_MS);
  }
  const client = (id: string | undefined, secret: string | undefined) => ({ clientId: id ?? "", clientSecret: secret ?? "" });
  const real = realPlatformsConfig(
    {
      x: client(env.X_CLIENT_ID, env.X_CLIENT_SECRET),
      linkedin: client(env.LINKEDIN_CLIENT_ID, env.LINKEDIN_CLIENT_SECRET),
      threads: client(env.THREADS_CLIENT_ID, env.THREADS_CLIENT_SECRET),
    },
    env.PUBLISHING_TIMEOUT_MS,
  );
  const override = <T extends { apiBaseUrl: string; authorizeUrl: string; tokenUrl: string }>(
    config: T,
    api: string | undefined,
    authorize: string | undefined,
    token: string | undefined,
  ): T => ({
    ...config,
    ...(api ? { apiBaseUrl: api } : {}),
    ...(authorize ? { authorizeUrl: authorize } : {}),
    ...(token ? { tokenUrl: token } : {}),
  });
  const platforms: PlatformsConfig = {
    x: override(real.x, env.X_API_BASE_URL, env.X_AUTHORIZE_URL, env.X_TOKEN_URL),
    linkedin: override(real.linkedin, env.LINKEDIN_API_BASE_URL, env.LINKEDIN_AUTHORIZE_URL, env.LINKEDIN_TOKEN_URL),
    threads: override(real.threads, env.THREADS_API_BASE_URL, env.THREADS_AUTHORIZE_URL, env.THREADS_TOKEN_URL),
    wordpress: real.wordpress,
  };
  return publishingRuntime({
    platforms,
    configured: {
      x: Boolean(env.X_CLIENT_ID && env.X_CLIENT_SECRET),
      linkedin: Boolean(env.LINKEDIN_CLIENT_ID && env.LINKEDIN_CLIENT_SECRET),
      threads: Boolean(env.THREADS_CLIENT_ID && env.THREADS_CLIENT_SECRET),
    },
    callbackBaseUrl,
  });
}
