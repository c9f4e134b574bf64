/**
 * The production build is a production build whatever NODE_ENV it inherits. Vitest runs with NODE_ENV=test,
 * as the browser tests' global set-up does when it builds the app: before vite.config.ts set NODE_ENV for
 * `vite build`, that build (and `pnpm start` from a shell with NODE_ENV=development) shipped React's
 * development build and jsxDEV calls in every component.
 */
import { fileURLToPath } from "node:url";
import { build, type Rolldown } from "vite";
import { describe, expect, it } from "vitest";
import { DEV_JSX_CALL } from "../vite.config.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("vite build", () => {
  it("makes React's production build under an inherited NODE_ENV=test", { timeout: 120_000 }, async () => {
    expect(process.env.NODE_ENV).toBe("test");
    const output = (await build({ root, logLevel: "silent", build: { write: false, sourcemap: false } }).finally(() => {
      process.env.NODE_ENV = "test";
    })) as Rolldown.RolldownOutput;
    const chunks = output.output.flatMap((o) => (o.type === "chunk" ? [o] : []));
    const app = chunks.find((c) => c.isEntry);
    expect(app?.code).toContain("Sign in");
    expect(chunks.filter((c) => DEV_JSX_CALL.test(c.code)).map((c) => c.fileName)).toEqual([]);
    // React's production bundle points at its decoder for minified errors; the development one does not.
    expect(chunks.some((c) => c.code.includes("Minified React error"))).toBe(true);
  });

  it("tells a development JSX call from a library's option check", () => {
    expect(DEV_JSX_CALL.test("(0,D.jsxDEV)(`section`,{")).toBe(true);
    expect(DEV_JSX_CALL.test('if(typeof t.jsxDEV!=`function`)throw TypeError("x");r=$E(n,t.jsxDEV)}')).toBe(false);
  });
});
