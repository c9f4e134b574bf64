/**
 * Accessibility checks in the browser tests: axe-core (the engine behind most a11y tooling) injected
 * into the page, run on the live DOM, and its serious and critical findings returned in a short form
 * a test can assert on and a person can read.
 *
 * The browser context needs `bypassCSP: true`: the app's Content-Security-Policy rightly refuses the
 * inline script this injects.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AxeResults, ElementContext, RunOptions } from "axe-core";
import type { Page } from "playwright-core";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeFinding {
  rule: string;
  impact: string;
  help: string;
  /** CSS selectors of (up to three of) the offending elements. */
  targets: string[];
}

/** Serious and critical violations on the page (or within `context`, e.g. `{ include: ["header"] }`). */
export async function axeViolations(page: Page, context?: ElementContext): Promise<AxeFinding[]> {
  // Colours are checked as they end up: a button whose class just changed is still mid-transition (its
  // text half-way between two colours), which axe would report as low contrast. Finite animations and
  // transitions are let finish first (endless ones, like a spinner, are left alone), for at most 2 s (a
  // paused animation never finishes).
  await page.evaluate(() =>
    Promise.race([
      Promise.all(
        document
          .getAnimations()
          .filter((a) => a.effect?.getComputedTiming().endTime !== Number.POSITIVE_INFINITY)
          .map((a) => a.finished.catch(() => undefined)),
      ),
      new Promise((resolve) => setTimeout(resolve, 2_000)),
    ]),
  );
  const injected = await page.evaluate(() => "axe" in window);
  if (!injected) await page.addScriptTag({ content: axeSource });
  const options: RunOptions = { resultTypes: ["violations"] };
  // Plain JSON in and out of the page (the axe types are too deep for evaluate's generics).
  const results = (await page.evaluate(
    ({ ctx, opts }) =>
      (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<unknown> } }).axe.run(ctx ?? document, opts),
    { ctx: (context ?? null) as unknown, opts: options as unknown },
  )) as AxeResults;
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      rule: v.id,
      impact: v.impact ?? "",
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
}

/** One line per finding, for assertion messages. */
export const describeFindings = (findings: AxeFinding[]) =>
  findings.map((f) => `${f.impact} ${f.rule}: ${f.help} — ${f.targets.join(", ")}`).join("\n");
