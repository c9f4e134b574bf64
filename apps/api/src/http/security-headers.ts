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

export function securityHeaders(options: { https: boolean; inlineScripts: string[] }): MiddlewareHandler {
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
  return (c, next) => (c.req.path.startsWith("/files/") ? files(c, next) : app(c, next));
}
