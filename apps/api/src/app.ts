/**
 * The HTTP surface: /trpc (the router), /healthz, /readyz, the dev mailbox in development, and the
 * built web app (same origin, so cookies need no CORS).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { getConnInfo } from "@hono/node-server/conninfo";
import { serveStatic } from "@hono/node-server/serve-static";
import { databaseIsReachable } from "@inkwell/db";
import { readMailFolder } from "@inkwell/domain/platform";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie } from "hono/cookie";
import { requestId } from "hono/request-id";
import type { Env } from "./env.ts";
import { registerFileRoutes } from "./files.route.ts";
import { registerOAuthCallback } from "./oauth-callback.ts";
import { appRouter } from "./router.ts";
import { type ApiDeps, type Context, SESSION_COOKIE, tokenHashFrom } from "./trpc/context.ts";

export interface AppOptions {
  deps: ApiDeps;
  env: Pick<Env, "APP_URL" | "ALLOWED_ORIGINS" | "TRUST_PROXY" | "INKWELL_DEV_MAIL_DIR" | "WEB_DIST_DIR">;
}

function bearer(header: string | undefined): string | null {
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return m?.[1] ?? null;
}

export function createApp({ deps, env }: AppOptions) {
  const app = new Hono<{ Variables: { requestId: string } }>();
  const allowedOrigins = new Set([new URL(env.APP_URL).origin, ...env.ALLOWED_ORIGINS]);

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

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) =>
    (await databaseIsReachable(deps.db)) ? c.json({ status: "ready" }) : c.json({ status: "database unreachable" }, 503),
  );

  // The largest legitimate body is a 5 MB PDF sent as base64 (~6.7 MB); refuse bigger ones before reading them.
  app.use(
    "/trpc/*",
    bodyLimit({
      maxSize: 8 * 1024 * 1024,
      onError: (c) => c.json({ error: { message: "The request is too large.", code: "PAYLOAD_TOO_LARGE" } }, 413),
    }),
  );

  app.all("/trpc/*", async (c) => {
    const token = bearer(c.req.header("authorization"));
    const cookieToken = token ? undefined : getCookie(c, SESSION_COOKIE);
    // Cross-site cookie mutations are refused by the tRPC middleware (init.ts) using this verdict:
    // Origin must be ours, or, where a browser omits Origin, Fetch Metadata must say same-origin.
    const origin = c.req.header("origin");
    const sameOrigin = origin ? allowedOrigins.has(origin) : c.req.header("sec-fetch-site") === "same-origin";
    const forwarded = env.TRUST_PROXY ? c.req.header("x-forwarded-for")?.split(",")[0]?.trim() : undefined;
    let ip = forwarded;
    if (!ip) {
      try {
        ip = getConnInfo(c).remote.address;
      } catch {
        ip = undefined;
      }
    }
    return fetchRequestHandler({
      endpoint: "/trpc",
      req: c.req.raw,
      router: appRouter,
      allowMethodOverride: false,
      createContext: ({ resHeaders }): Context => ({
        deps,
        tokenHash: tokenHashFrom(token ?? cookieToken),
        via: token ? "bearer" : cookieToken ? "cookie" : "none",
        sameOrigin,
        meta: { ip: ip ?? "unknown", userAgent: c.req.header("user-agent")?.slice(0, 512) ?? null },
        requestId: c.get("requestId"),
        setCookie: (value) => resHeaders.append("set-cookie", value),
      }),
    });
  });

  registerFileRoutes(app, deps);

  registerOAuthCallback(app, deps);

  if (env.INKWELL_DEV_MAIL_DIR) {
    const folder = env.INKWELL_DEV_MAIL_DIR;
    app.get("/dev/mail", (c) => c.html(renderMailbox(readMailFolder(folder))));
    app.get("/dev/mail.json", (c) => c.json(readMailFolder(folder)));
  }

  if (env.WEB_DIST_DIR) {
    const root = env.WEB_DIST_DIR;
    const index = readFileSync(join(root, "index.html"), "utf8");
    app.use("/assets/*", serveStatic({ root }));
    app.use("/favicon.svg", serveStatic({ root }));
    // Client-side routes all load the same page.
    app.get("*", (c) => c.html(index));
  }

  return app;
}

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
