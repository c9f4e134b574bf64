/**
 * The HTTP surface: /trpc (the router), /healthz, /readyz, the dev mailbox in development, and the
 * built web app (same origin, so cookies need no CORS). The edge in front of them (src/http/) answers
 * only our Host names, bounds bodies, batches and concurrent calls before tRPC parses anything, keeps
 * connections usable after early answers, and sets the security headers.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { getConnInfo } from "@hono/node-server/conninfo";
import { serveStatic } from "@hono/node-server/serve-static";
import { databaseIsReachable } from "@inkwell/db";
import { readMailFolder } from "@inkwell/domain/platform";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { Hono, type Context as HonoContext } from "hono";
import { getCookie } from "hono/cookie";
import { requestId } from "hono/request-id";
import type { Env } from "./env.ts";
import { registerFileRoutes } from "./files.route.ts";
import { type BodyState, finishBody } from "./http/body.ts";
import { hostAllowlist, isLoopbackAddress, isLoopbackHostname } from "./http/host.ts";
import { releaseAfterBody } from "./http/in-flight.ts";
import { allowedOrigins as allowedOriginsFor, isProduction } from "./http/mode.ts";
import { MAX_BATCH_SIZE, procedureTable } from "./http/procedures.ts";
import { inlineScriptHashes, securityHeaders } from "./http/security-headers.ts";
import { createTrpcEdge } from "./http/trpc-edge.ts";
import { createQueryCaller } from "./http/trpc-query.ts";
import { registerImageWebhook } from "./image-webhook.route.ts";
import { registerOAuthCallback } from "./oauth-callback.ts";
import { registerOAuthSignIn } from "./oauth-sign-in.route.ts";
import { registerStripeWebhook } from "./payments-webhook.route.ts";
import { appRouter } from "./router.ts";
import { type ApiDeps, type Context, SESSION_COOKIE, tokenHashFrom } from "./trpc/context.ts";
import { registerUploadRoutes } from "./uploads.route.ts";

export interface AppOptions {
  deps: ApiDeps;
  env: Pick<Env, "APP_URL" | "ALLOWED_ORIGINS" | "TRUST_PROXY" | "INKWELL_DEV_MAIL_DIR" | "WEB_DIST_DIR"> &
    Partial<Pick<Env, "NODE_ENV">>;
  /** Every /trpc call through tRPC's fetch adapter, none by the direct query path (the bench's before). */
  adapterOnly?: boolean;
}

/** Paths a load balancer or container probe may call by any address. */
const PROBES = new Set(["/healthz", "/readyz"]);

function bearer(header: string | undefined): string | null {
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return m?.[1] ?? null;
}

type AppEnv = { Variables: { requestId: string; body: BodyState } };
type TrpcContext = HonoContext<AppEnv>;

export function createApp({ deps, env, adapterOnly = false }: AppOptions) {
  const app = new Hono<AppEnv>();
  const production = isProduction(env);
  const { origins: allowedOrigins, dropped } = allowedOriginsFor(env);
  if (dropped.length > 0) {
    deps.log.warn(
      { dropped },
      "ALLOWED_ORIGINS: loopback origins are not trusted in production (the app is served from APP_URL)",
    );
  }
  const hostAllowed = hostAllowlist(env.APP_URL, [...allowedOrigins]);
  const edge = createTrpcEdge(procedureTable(appRouter));
  const index = env.WEB_DIST_DIR ? readFileSync(join(env.WEB_DIST_DIR, "index.html"), "utf8") : null;

  app.use(requestId());
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    if (c.req.path === "/healthz") return;
    deps.log.info(
      {
        requestId: c.get("requestId"),
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      },
      "request",
    );
  });

  // A body the answer did not need (a refusal before reading it, a route that takes none) is read to
  // its end here, within bounds, so the keep-alive connection can carry the client's next request;
  // when that is not possible the answer says so (Connection: close) rather than dropping the socket.
  app.use(async (c, next) => {
    const state: BodyState = { complete: false };
    c.set("body", state);
    await next();
    if (await finishBody(c.req.raw, state)) return;
    try {
      c.res.headers.set("connection", "close");
    } catch {
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set("connection", "close");
    }
  });

  const security = securityHeaders({
    https: env.APP_URL.startsWith("https:"),
    inlineScripts: index ? inlineScriptHashes(index) : [],
  });
  app.use(security.middleware);
  const queries = createQueryCaller(appRouter, security.respond);

  // Only our names in Host: a DNS-rebinding page reaches a local server under its own name. The verdict
  // depends on the URL's scheme and host alone, so it is remembered per `scheme://host` (a few hundred
  // at most: a client choosing ever new names gets them checked each time).
  const hostVerdicts = new Map<string, boolean>();
  const hostOk = (url: string) => {
    const end = url.indexOf("/", url.indexOf("//") + 2);
    const key = end < 0 ? null : url.slice(0, end);
    let ok = key === null ? undefined : hostVerdicts.get(key);
    if (ok === undefined) {
      ok = hostAllowed(new URL(url).host);
      if (key !== null && hostVerdicts.size < 256) hostVerdicts.set(key, ok);
    }
    return ok;
  };
  app.use(async (c, next) => {
    if (PROBES.has(c.req.path) || hostOk(c.req.url)) return next();
    return c.text("This server does not answer for that host name.", 421);
  });

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) =>
    (await databaseIsReachable(deps.db)) ? c.json({ status: "ready" }) : c.json({ status: "database unreachable" }, 503),
  );

  // The request id goes on every /trpc answer: tRPC's and the edge's are whole Responses, which leave
  // out the header hono's requestId middleware had prepared for the context's own answers.
  app.all("/trpc/*", async (c) => {
    const res = await trpc(c);
    res.headers.set("x-request-id", c.get("requestId"));
    return res;
  });
  async function trpc(c: TrpcContext): Promise<Response> {
    const token = bearer(c.req.header("authorization"));
    const cookieToken = token ? undefined : getCookie(c, SESSION_COOKIE);
    const tokenHash = tokenHashFrom(token ?? cookieToken);
    // Cross-site cookie mutations are refused by the tRPC middleware (init.ts) using this verdict:
    // Origin must be ours, or, where a browser omits Origin, Fetch Metadata must say same-origin.
    const origin = c.req.header("origin");
    const sameOrigin = origin ? allowedOrigins.has(origin) : c.req.header("sec-fetch-site") === "same-origin";
    // The proxy appends the address it saw after whatever the client wrote there: the last entry is the
    // one to trust (the first is the client's to choose, so per-address limits would never bind).
    const forwarded = env.TRUST_PROXY ? c.req.header("x-forwarded-for")?.split(",").at(-1)?.trim() : undefined;
    const ip = forwarded || remoteAddress(c);
    const admitted = await edge.admit(
      c.req.raw,
      { session: tokenHash?.toString("hex") ?? null, address: ip ?? "unknown" },
      c.get("body"),
    );
    if (admitted instanceof Response) return admitted;
    const cookies: string[] = [];
    const context: Context = {
      deps,
      tokenHash,
      via: token ? "bearer" : cookieToken ? "cookie" : "none",
      sameOrigin,
      meta: { ip: ip ?? "unknown", userAgent: c.req.header("user-agent")?.slice(0, 512) ?? null },
      requestId: c.get("requestId"),
      setCookie: (value) => cookies.push(value),
    };
    try {
      // GET queries are answered by calling the procedures directly (http/trpc-query.ts: tRPC's answer
      // without its adapter's cost); everything else, and whatever that path declines, goes through tRPC.
      const direct =
        admitted.streamed || adapterOnly ? null : queries.answer(admitted.req, admitted.call, context, () => cookies);
      const res = await (direct ??
        fetchRequestHandler({
          endpoint: "/trpc",
          req: admitted.req,
          router: appRouter,
          allowMethodOverride: false,
          maxBatchSize: MAX_BATCH_SIZE,
          createContext: ({ resHeaders }): Context => ({
            ...context,
            setCookie: (value) => resHeaders.append("set-cookie", value),
          }),
        }));
      // A streamed answer (a subscription, a JSON-lines batch) holds the caller's slot while it streams.
      // Any other answer was built whole: the slot is free now, and the answer goes out as tRPC made it
      // (wrapping it in a stream cost more than the rest of the edge on a small read).
      if (admitted.streamed) return releaseAfterBody(res, admitted.release);
      admitted.release();
      return res;
    } catch (error) {
      admitted.release();
      throw error;
    }
  }

  registerFileRoutes(app, deps);

  registerUploadRoutes(app, deps, { allowedOrigins });

  registerOAuthCallback(app, deps);
  registerOAuthSignIn(app, deps, { trustProxy: env.TRUST_PROXY });

  registerStripeWebhook(app, deps);
  registerImageWebhook(app, deps);

  // The dev mailbox shows password-reset links: never in a production build, and in development only
  // to this machine (a loopback client under a loopback Host, so not a rebinding page either).
  if (env.INKWELL_DEV_MAIL_DIR && !production) {
    const folder = env.INKWELL_DEV_MAIL_DIR;
    app.use("/dev/mail", localOnly);
    app.use("/dev/mail.json", localOnly);
    app.get("/dev/mail", (c) => c.html(renderMailbox(readMailFolder(folder))));
    app.get("/dev/mail.json", (c) => c.json(readMailFolder(folder)));
  }

  if (env.WEB_DIST_DIR && index !== null) {
    const root = env.WEB_DIST_DIR;
    app.use("/assets/*", serveStatic({ root }));
    // The icons index.html links, and /favicon.ico that browsers ask for on their own (else it got the page).
    for (const icon of ["/favicon.svg", "/favicon.ico", "/apple-touch-icon.png"]) app.use(icon, serveStatic({ root }));
    // Client-side routes all load the same page.
    app.get("*", (c) => c.html(index));
  }

  return app;
}

/** The TCP peer's address, when there is a socket (not for in-process `app.request`). */
function remoteAddress(c: Context_): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

type Context_ = Parameters<typeof getConnInfo>[0];

const localOnly = async (c: Context_, next: () => Promise<void>) => {
  const host = new URL(c.req.url).hostname;
  if (isLoopbackAddress(remoteAddress(c)) && isLoopbackHostname(host)) return next();
  return c.text("Not found", 404);
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function renderMailbox(mails: ReturnType<typeof readMailFolder>): string {
  const items = mails
    .map(
      (
        m,
      ) => `<article><h2>${escapeHtml(m.subject)}</h2><p class="meta">to ${escapeHtml(m.to.join(", "))} · ${escapeHtml(m.receivedAt)}</p>
<pre>${escapeHtml(m.text).replace(/(https?:\/\/[^\s<]+)/g, '<a href="$1">$1</a>')}</pre></article>`,
    )
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Dev mailbox · Inkwell</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
article{border:1px solid #d0d7de;border-radius:8px;padding:1rem;margin:1rem 0}h2{margin:0;font-size:1.1rem}
.meta{color:#59636e;margin:.25rem 0 1rem}pre{white-space:pre-wrap;font:inherit}</style></head>
<body><h1>Dev mailbox</h1><p>Mail sent by this local Inkwell (the embedded default keeps it here instead of delivering it).</p>
${items || "<p>No mail yet.</p>"}</body></html>`;
}
