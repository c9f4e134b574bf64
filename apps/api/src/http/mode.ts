/**
 * Development or production, from the signals `scripts/dev.ts` and deployments already give:
 * NODE_ENV=production, or the API serving the built web app (WEB_DIST_DIR) — `pnpm start` sets both;
 * `pnpm dev` neither.
 */
import { isLoopbackHostname } from "./host.ts";

export interface ModeEnv {
  NODE_ENV?: "development" | "test" | "production";
  WEB_DIST_DIR?: string | undefined;
}

export const isProduction = (env: ModeEnv) => env.NODE_ENV === "production" || Boolean(env.WEB_DIST_DIR);

/** The Vite dev server's origins (apps/web/vite.config.ts), trusted by default in development only. */
export const VITE_DEV_ORIGINS = ["http://localhost:5173", "http://127.0.0.1:5173"];

/**
 * Origins whose cookie-carrying mutations are ours: APP_URL's, plus ALLOWED_ORIGINS. In development
 * with none given, the Vite dev server's. In production a loopback origin other than APP_URL's is
 * dropped: the built app is served from APP_URL, so another local port (a dev server left running,
 * any local program) is not our front-end, and `pnpm start` passes the dev origins along.
 */
export function allowedOrigins(env: ModeEnv & { APP_URL: string; ALLOWED_ORIGINS: readonly string[] }): {
  origins: Set<string>;
  dropped: string[];
} {
  const app = new URL(env.APP_URL).origin;
  const production = isProduction(env);
  const given = env.ALLOWED_ORIGINS.length > 0 ? env.ALLOWED_ORIGINS : production ? [] : VITE_DEV_ORIGINS;
  const origins = new Set([app]);
  const dropped: string[] = [];
  for (const origin of given) {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      dropped.push(origin);
      continue;
    }
    if (production && parsed.origin !== app && isLoopbackHostname(parsed.hostname)) dropped.push(origin);
    else origins.add(parsed.origin);
  }
  return { origins, dropped };
}
