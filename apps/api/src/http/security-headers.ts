/**
 * Security headers on every response: a Content-Security-Policy the built web app satisfies (no
 * inline script but the theme snippet in index.html, allowed by its hash), no framing, no referrer
 * beyond our origin, no MIME sniffing.
 */
import { createHash } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

type SecureHeadersOptions = NonNullable<Parameters<typeof secureHeaders>[0]>;

/** The sha256 CSP sources of a page's inline scripts (`<script>` without `src`). */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
    const body = match[1] ?? "";
    if (body.trim()) hashes.push(`'sha256-${createHash("sha256").update(body, "utf8").digest("base64")}'`);
  }
  return hashes;
}

export interface SecurityHeaders {
  middleware: MiddlewareHandler;
  /**
   * A Response carrying the security headers already, as plain headers (a page's, not a file's): the
   * middleware leaves it as it is. Setting them one by one on the answer's `Headers` afterwards (a
   * check and a set each, then the server copying them out again) was a visible share of a small read.
   */
  respond(body: string, status: number, headers: Record<string, string>): Response;
}

export function securityHeaders(options: { https: boolean; inlineScripts: string[] }): SecurityHeaders {
  const common: SecureHeadersOptions = {
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", ...options.inlineScripts],
      // React's style props are set through the DOM (allowed); libraries that inject <style> elements
      // (Radix's scroll lock) need 'unsafe-inline', which styles alone cannot turn into script.
      styleSrc: ["'self'", "'unsafe-inline'"],
      // Uploads are same-origin signed URLs; avatars are whatever https URL a user or platform gave.
      imgSrc: ["'self'", "data:", "blob:", "https:"],
      fontSrc: ["'self'", "data:"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      ...(options.https ? { upgradeInsecureRequests: [] } : {}),
    },
    referrerPolicy: "strict-origin-when-cross-origin",
    xFrameOptions: "DENY",
    // HSTS means nothing over http and would pin localhost to https if a browser ever took it.
    strictTransportSecurity: options.https ? "max-age=15552000; includeSubDomains" : false,
    // A handler's own stricter header (the sandbox CSP on /files) wins.
    overwrite: false,
  };
  const app = secureHeaders(common);
  // Signed file URLs are handed to platforms and opened from other sites: resources, not our pages.
  const files = secureHeaders({ ...common, crossOriginResourcePolicy: false });
  const noop = async () => {};

  // What `app` sets, read once off hono's own middleware on a blank answer: ready a few microtasks
  // after start, before any request is served (until then `respond` leaves the headers to the middleware).
  let page: Record<string, string> | null = null;
  const blank = { res: new Response(null) };
  void app(blank as unknown as Parameters<MiddlewareHandler>[0], noop).then(() => {
    page = Object.fromEntries(blank.res.headers);
  });
  const built = new WeakSet<Response>();

  return {
    async middleware(c, next) {
      if (c.req.path.startsWith("/files/")) return files(c, next);
      await next();
      // As hono's middleware does after `next` (a handler's own header wins, X-Powered-By goes).
      if (!built.has(c.res)) await app(c, noop);
    },
    respond(body, status, headers) {
      if (!page) return new Response(body, { status, headers });
      const res = new Response(body, { status, headers: { ...page, ...headers } });
      built.add(res);
      return res;
    },
  };
}
