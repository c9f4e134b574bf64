/**
 * Where each platform lives. The defaults are the real services; `sandboxPlatformsConfig(url)` points
 * everything at the sandbox platform (publishing/testing), which the embedded default and the tests use.
 */
export interface OAuthPlatformConfig {
  /** API root, e.g. https://api.x.com. */
  apiBaseUrl: string;
  /** Where the browser is sent to approve. */
  authorizeUrl: string;
  tokenUrl: string;
  /** Public web root, for post links. */
  webUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
}

export interface LinkedInConfig extends OAuthPlatformConfig {
  /** LinkedIn-Version header (YYYYMM); LinkedIn retires versions after about a year. */
  apiVersion: string;
}

export interface WordPressConfig {
  timeoutMs: number;
}

export interface PlatformsConfig {
  x: OAuthPlatformConfig;
  linkedin: LinkedInConfig;
  threads: OAuthPlatformConfig;
  wordpress: WordPressConfig;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

export function realPlatformsConfig(
  clients: {
    x: { clientId: string; clientSecret: string };
    linkedin: { clientId: string; clientSecret: string };
    threads: { clientId: string; clientSecret: string };
  },
  timeoutMs = DEFAULT_TIMEOUT_MS,
): PlatformsConfig {
  return {
    x: {
      apiBaseUrl: "https://api.x.com",
      authorizeUrl: "https://x.com/i/oauth2/authorize",
      tokenUrl: "https://api.x.com/2/oauth2/token",
      webUrl: "https://x.com",
      ...clients.x,
      timeoutMs,
    },
    linkedin: {
      apiBaseUrl: "https://api.linkedin.com",
      authorizeUrl: "https://www.linkedin.com/oauth/v2/authorization",
      tokenUrl: "https://www.linkedin.com/oauth/v2/accessToken",
      webUrl: "https://www.linkedin.com",
      apiVersion: "202505",
      ...clients.linkedin,
      timeoutMs,
    },
    threads: {
      apiBaseUrl: "https://graph.threads.net",
      authorizeUrl: "https://threads.net/oauth/authorize",
      tokenUrl: "https://graph.threads.net/oauth/access_token",
      webUrl: "https://www.threads.net",
      ...clients.threads,
      timeoutMs,
    },
    wordpress: { timeoutMs },
  };
}

export const SANDBOX_CLIENT = { clientId: "inkwell-sandbox-client", clientSecret: "inkwell-sandbox-secret" };

/** Every platform at the sandbox (`startSandboxPlatform().url`); WordPress sites are `${url}/wordpress`. */
export function sandboxPlatformsConfig(url: string, timeoutMs = 5_000): PlatformsConfig {
  const base = url.replace(/\/+$/, "");
  return {
    x: {
      apiBaseUrl: `${base}/x`,
      authorizeUrl: `${base}/x/i/oauth2/authorize`,
      tokenUrl: `${base}/x/2/oauth2/token`,
      webUrl: `${base}/sandbox/web/x`,
      ...SANDBOX_CLIENT,
      timeoutMs,
    },
    linkedin: {
      apiBaseUrl: `${base}/linkedin`,
      authorizeUrl: `${base}/linkedin/oauth/v2/authorization`,
      tokenUrl: `${base}/linkedin/oauth/v2/accessToken`,
      webUrl: `${base}/sandbox/web/linkedin`,
      apiVersion: "202505",
      ...SANDBOX_CLIENT,
      timeoutMs,
    },
    threads: {
      apiBaseUrl: `${base}/threads`,
      authorizeUrl: `${base}/threads/oauth/authorize`,
      tokenUrl: `${base}/threads/oauth/access_token`,
      webUrl: `${base}/sandbox/web/threads`,
      ...SANDBOX_CLIENT,
      timeoutMs,
    },
    wordpress: { timeoutMs },
  };
}
