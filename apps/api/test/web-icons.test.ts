/**
 * The site's icons: every icon index.html links is in apps/web/public (which the dev server serves at
 * the root and the build copies into dist), and the API serving the built app answers each with the
 * file itself, including /favicon.ico, which browsers request on their own (it was a 404 under
 * `pnpm dev` and the HTML page under `pnpm start`).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { type Harness, startHarness } from "./harness.ts";

const webRoot = join(import.meta.dirname, "../../web");
const publicDir = join(webRoot, "public");
const indexHtml = readFileSync(join(webRoot, "index.html"), "utf8");

/** The icons index.html links: [rel, href]. */
const linkedIcons = [...indexHtml.matchAll(/<link\s+rel="(icon|apple-touch-icon)"[^>]*\shref="([^"]+)"/g)].map(
  (m) => [m[1] ?? "", m[2] ?? ""] as const,
);

let h: Harness;
let dist: string;
beforeAll(async () => {
  h = await startHarness();
  // What `vite build` produces for these paths: index.html plus public/ copied to the root.
  dist = mkdtempSync(join(tmpdir(), "inkwell-icons-"));
  cpSync(publicDir, dist, { recursive: true });
  writeFileSync(join(dist, "index.html"), indexHtml);
});
afterAll(async () => {
  rmSync(dist, { recursive: true, force: true });
  await h.stop();
});

describe("the site's icons", () => {
  it("index.html links an .ico, an SVG and an Apple touch icon, each a file in public/", () => {
    expect(linkedIcons.map(([, href]) => href).sort()).toEqual(["/apple-touch-icon.png", "/favicon.ico", "/favicon.svg"]);
    for (const [, href] of linkedIcons) expect(existsSync(join(publicDir, href)), href).toBe(true);
  });

  it("are served as the files themselves by the API serving the built app, /favicon.ico included", async () => {
    const app = createApp({
      deps: h.deps,
      env: {
        APP_URL: "http://localhost:3000",
        ALLOWED_ORIGINS: [],
        TRUST_PROXY: false,
        INKWELL_DEV_MAIL_DIR: undefined,
        WEB_DIST_DIR: dist,
        NODE_ENV: "production",
      },
    });
    const types: Record<string, RegExp> = {
      "/favicon.ico": /^image\/(x-icon|vnd\.microsoft\.icon)/,
      "/favicon.svg": /^image\/svg\+xml/,
      "/apple-touch-icon.png": /^image\/png/,
    };
    for (const [path, type] of Object.entries(types)) {
      const res = await app.request(path, { headers: { host: "localhost:3000" } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toMatch(type);
      expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(join(publicDir, path))), path).toBe(true);
    }
  });
});
