/**
 * `GET /oauth/callback/:platform?code&state` — where X, LinkedIn and Threads send the browser back
 * after the person approved (or declined) Inkwell. A plain Hono route, not tRPC: it is a top-level
 * navigation that must end in a redirect to the connections page, `?connected=<id>` or `?error=<message>`.
 *
 * The session cookie (SameSite=Lax, so it rides along on this top-level GET) says who is finishing
 * the sign-in; the state must have been started by that same user (oauth_states is RLS-scoped), so a
 * callback forged into someone else's browser cannot attach an account to them.
 */
import { asSession } from "@inkwell/db";
import { type ConnectionsDeps, connections } from "@inkwell/domain/connections";
import { DomainError } from "@inkwell/domain/platform/errors";
import type { Hono, Env as HonoEnv } from "hono";
import { getCookie } from "hono/cookie";
import { type ApiDeps, SESSION_COOKIE, tokenHashFrom } from "./trpc/context.ts";

export const CONNECTIONS_PAGE = "/publishing/connections";

const connectionsDeps = (deps: ApiDeps): ConnectionsDeps => ({
  db: deps.db,
  keyRing: deps.keyRing,
  publishing: deps.publishing,
  log: deps.log,
});

/** A message the person can act on; anything unexpected is logged and summarised. */
function messageOf(error: unknown, deps: ApiDeps, platform: string): string {
  if (error instanceof DomainError) return error.message;
  deps.log.error({ err: error, platform }, "oauth callback failed");
  return "Something went wrong while connecting the account. Please try again.";
}

export function registerOAuthCallback<E extends HonoEnv>(app: Hono<E>, deps: ApiDeps): void {
  app.get("/oauth/callback/:platform", async (c) => {
    const platform = c.req.param("platform");
    const back = (params: Record<string, string>) => c.redirect(`${CONNECTIONS_PAGE}?${new URLSearchParams(params)}`, 302);
    c.header("cache-control", "no-store");
    c.header("referrer-policy", "no-referrer");
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    const tokenHash = tokenHashFrom(bearer ?? getCookie(c, SESSION_COOKIE));
    const auth = tokenHash ? await asSession(deps.db, tokenHash, deps.identity.sessionIdleSeconds, async (_tx, a) => a) : null;
    if (!auth) return back({ error: "Please sign in, then connect the account again." });
    try {
      const connection = await connections.finishOAuth(connectionsDeps(deps), auth.userId, platform, {
        code: c.req.query("code"),
        state: c.req.query("state"),
        error: c.req.query("error"),
        error_description: c.req.query("error_description"),
      });
      return back({ connected: connection.id });
    } catch (error) {
      return back({ error: messageOf(error, deps, platform) });
    }
  });
}
