/**
 * Sign-in with other accounts (Clever, Google): top-level navigations, so plain Hono routes, not tRPC.
 *
 *   GET /auth/oauth/:provider/start?redirect_to=/path[&link=1]  → 302 to the provider
 *   GET /auth/oauth/:provider/callback?code&state               → 302 into the app, signed in
 *
 * The state travels twice: in the provider's URL (its hash stored, single use, ten minutes) and in an
 * HttpOnly cookie scoped to these paths; the callback needs both to agree, so a callback link made from
 * someone else's sign-in (login CSRF: being signed in to the attacker's account) does nothing. With
 * `link=1` a signed-in person attaches the account to themselves (Settings) instead of signing in.
 * Errors end on the sign-in page with `?oauth_error=<message>`; a failed link (started from Settings, or
 * from the classrooms page) ends on Settings' sign-in accounts section instead, where links are made and
 * where the person is still signed in. Both are fixed paths: the stored `redirect_to` is used only on success.
 */
import { getConnInfo } from "@hono/node-server/conninfo";
import { asSession } from "@inkwell/db";
import { classrooms } from "@inkwell/domain/classrooms";
import { OAUTH_PROVIDERS, type OAuthProvider, type OAuthSignInDeps, oauthSignIn } from "@inkwell/domain/identity";
import { DomainError } from "@inkwell/domain/platform/errors";
import type { Hono, Context as HonoContext, Env as HonoEnv } from "hono";
import { getCookie } from "hono/cookie";
import { type ApiDeps, SESSION_COOKIE, sessionCookie, tokenHashFrom } from "./trpc/context.ts";

const STATE_COOKIE = "inkwell_oauth_state";
const SIGN_IN_PAGE = "/sign-in";
const LINK_PAGE = "/settings";
/** Where a failed link lands: the section of Settings that shows the error (LinkedAccounts). */
const LINK_FAILED_PAGE = "/settings#sign-in-accounts";

const isProvider = (p: string): p is OAuthProvider => (OAUTH_PROVIDERS as readonly string[]).includes(p);

function signInDeps(deps: ApiDeps): OAuthSignInDeps | null {
  if (!deps.oauth) return null;
  return {
    db: deps.db,
    config: deps.identity,
    enqueue: deps.enqueue,
    oauth: deps.oauth,
    // A Clever sign-in records the person's Clever role (teachers can sync) and claims their roster rows.
    afterLink: (tx, link) => (link.provider === "clever" ? classrooms.recordCleverSignIn(tx, link) : Promise.resolve()),
  };
}

function stateCookie(deps: ApiDeps, value: string, maxAge: number): string {
  return [
    `${STATE_COOKIE}=${value}`,
    "Path=/auth/oauth",
    "HttpOnly",
    "SameSite=Lax",
    `Max-Age=${maxAge}`,
    ...(deps.cookieSecure ? ["Secure"] : []),
  ].join("; ");
}

export function registerOAuthSignIn<E extends HonoEnv>(app: Hono<E>, deps: ApiDeps, options: { trustProxy: boolean }): void {
  const meta = (c: HonoContext<E>) => {
    const forwarded = options.trustProxy ? c.req.header("x-forwarded-for")?.split(",").at(-1)?.trim() : undefined;
    let remote: string | undefined;
    try {
      remote = getConnInfo(c).remote.address;
    } catch {
      remote = undefined;
    }
    return { ip: forwarded || remote || "unknown", userAgent: c.req.header("user-agent")?.slice(0, 512) ?? null };
  };
  const fail = (c: HonoContext<E>, page: string, error: unknown, provider: string) => {
    let message = "Something went wrong while signing in. Please try again.";
    if (error instanceof DomainError) message = error.message;
    else deps.log.error({ err: error, provider }, "oauth sign-in failed");
    const [path, hash] = page.split("#");
    return c.redirect(`${path}?${new URLSearchParams({ oauth_error: message })}${hash ? `#${hash}` : ""}`, 302);
  };

  app.get("/auth/oauth/:provider/start", async (c) => {
    c.header("cache-control", "no-store");
    c.header("referrer-policy", "no-referrer");
    const provider = c.req.param("provider");
    const sd = signInDeps(deps);
    if (!isProvider(provider) || !sd)
      return fail(c, SIGN_IN_PAGE, new DomainError("NOT_FOUND", "This sign-in option is not available."), provider);
    const link = c.req.query("link") === "1";
    let linkUserId: string | null = null;
    if (link) {
      const tokenHash = tokenHashFrom(getCookie(c, SESSION_COOKIE));
      const auth = tokenHash ? await asSession(deps.db, tokenHash, deps.identity.sessionIdleSeconds, async (_tx, a) => a) : null;
      if (!auth)
        return fail(
          c,
          SIGN_IN_PAGE,
          new DomainError("UNAUTHENTICATED", "Please sign in, then link the account again."),
          provider,
        );
      linkUserId = auth.userId;
    }
    try {
      const { url, state } = await oauthSignIn.startSignIn(sd, provider, {
        redirectTo: c.req.query("redirect_to") ?? (link ? LINK_PAGE : "/"),
        linkUserId,
        loginHint: c.req.query("login_hint") ?? null,
        ip: meta(c).ip,
      });
      c.header("set-cookie", stateCookie(deps, state, oauthSignIn.SIGN_IN_STATE_TTL_SECONDS));
      return c.redirect(url, 302);
    } catch (error) {
      return fail(c, link ? LINK_FAILED_PAGE : SIGN_IN_PAGE, error, provider);
    }
  });

  app.get("/auth/oauth/:provider/callback", async (c) => {
    c.header("cache-control", "no-store");
    c.header("referrer-policy", "no-referrer");
    const provider = c.req.param("provider");
    const sd = signInDeps(deps);
    // The state cookie is spent either way.
    c.header("set-cookie", stateCookie(deps, "", 0), { append: true });
    if (!isProvider(provider) || !sd)
      return fail(c, SIGN_IN_PAGE, new DomainError("NOT_FOUND", "This sign-in option is not available."), provider);
    const params = new URL(c.req.url).searchParams;
    if (!params.get("state") || getCookie(c, STATE_COOKIE) !== params.get("state"))
      return fail(
        c,
        SIGN_IN_PAGE,
        new DomainError("TOKEN_INVALID", "This sign-in was not started in this browser. Please start again."),
        provider,
      );
    let started: Awaited<ReturnType<typeof oauthSignIn.consumeSignIn>>;
    try {
      started = await oauthSignIn.consumeSignIn(sd, provider, params);
    } catch (error) {
      return fail(c, SIGN_IN_PAGE, error, provider);
    }
    try {
      const done = await oauthSignIn.completeSignIn(sd, started, params, meta(c));
      if (done.session) c.header("set-cookie", sessionCookie(deps, done.session.token, done.session.expiresAt), { append: true });
      const to = new URL(done.redirectTo, "http://x");
      if (done.outcome === "linked") to.searchParams.set("linked", provider);
      return c.redirect(`${to.pathname}${to.search}`, 302);
    } catch (error) {
      return fail(c, started.linkUserId ? LINK_FAILED_PAGE : SIGN_IN_PAGE, error, provider);
    }
  });
}
