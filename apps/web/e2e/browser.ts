/**
 * The set-up every browser test repeats: the stack and a headless Chromium on its address for the file
 * (`useBrowserStack`), a new account signed up through the real form (ending on the home dashboard,
 * signed in), and the checks every page gets (`fitsAndPassesAxe`: no sideways scrolling, no axe findings).
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createDb, type Database } from "@inkwell/db";
import { handlersFor, type WorkerDeps } from "@inkwell/domain/jobs/handlers";
import { paymentsJobs } from "@inkwell/domain/payments";
import { type StripeSandbox, startStripeSandbox } from "@inkwell/domain/payments/testing";
import {
  closeUntrustedPool,
  createBoss,
  createEnqueue,
  type Enqueue,
  type JobDefinition,
  registerJobs,
} from "@inkwell/domain/platform";
import { sql } from "kysely";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject } from "vitest";
import { axeViolations, describeFindings } from "./axe.ts";
import { type Stack, type StackOptions, startStack } from "./stack.ts";

export const STEP_TIMEOUT = 15_000;
export const PASSWORD = "correct horse battery staple";
/** Step screenshots (E2E_SCREENSHOTS=1 keeps one per step; a failed step always leaves one). */
export const resultsDir = fileURLToPath(new URL("../test-results", import.meta.url));
const keepScreenshots = process.env.E2E_SCREENSHOTS === "1";

export interface BrowserOptions {
  viewport?: { width: number; height: number };
  /** The browser's own time zone (scheduling reads it), e.g. "Europe/Berlin". */
  timezoneId?: string;
  /** Print the page's console errors (uncaught errors are always printed). */
  consoleErrors?: boolean;
}

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-sync"],
  });

/** A fresh context (no cookies: a new visitor) and page in a running browser. */
export async function openPage(browser: Browser, baseURL: string, options: BrowserOptions = {}) {
  const context = await browser.newContext({
    baseURL,
    viewport: options.viewport ?? { width: 1280, height: 900 },
    timezoneId: options.timezoneId,
    // axe (e2e/axe.ts) is injected as an inline script, which the app's CSP rightly refuses.
    bypassCSP: true,
  });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error("[browser] uncaught:", error));
  if (options.consoleErrors) {
    page.on("console", (message) => {
      // The browser logs every 4xx answer; tests provoke some on purpose.
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
        console.error("[browser] console.error:", message.text());
      }
    });
  }
  return { context, page };
}

export async function openBrowser(baseURL: string, options: BrowserOptions = {}): Promise<BrowserSession> {
  const browser = await launchChromium();
  const { context, page } = await openPage(browser, baseURL, options);
  return {
    browser,
    context,
    page,
    async close() {
      await context.close();
      await browser.close();
    },
  };
}

export interface BrowserStack {
  stack: Stack;
  browser: Browser;
  /** The database as its owner (no RLS): fixtures written through the domain modules with `asUser`. */
  db: Database;
  /** A new visitor's page (a fresh context) on the stack. */
  openPage(options?: BrowserOptions): ReturnType<typeof openPage>;
  /** The id of the account signed up with `email`. */
  userIdOf(email: string): Promise<string>;
}

export interface BrowserStackOptions {
  /** The stack's options, asked for in beforeAll (after the file's own earlier hooks, e.g. a sandbox started). */
  stack?: () => StackOptions;
  /** Before anything stops (e.g. undo what the file changed in the shared database). */
  beforeStop?: (t: BrowserStack) => Promise<unknown>;
  /** After everything stopped (e.g. a sandbox the stack talked to). */
  afterStop?: () => Promise<unknown>;
}

/**
 * A browser test file's set-up and tear-down: the stack, one Chromium, a database connection; the
 * answer's fields are filled in by beforeAll (use them inside tests and steps, not at the file's top).
 */
export function useBrowserStack(options: BrowserStackOptions = {}): BrowserStack {
  const t = {
    openPage: (pageOptions?: BrowserOptions) => openPage(t.browser, t.stack.baseUrl, pageOptions),
    async userIdOf(email: string) {
      const { rows } = await sql<{ id: string }>`SELECT id FROM users WHERE email = ${email.toLowerCase()}`.execute(t.db);
      if (!rows[0]) throw new Error(`no account with the e-mail ${email}`);
      return rows[0].id;
    },
  } as BrowserStack;
  beforeAll(async () => {
    t.stack = await startStack(inject("databaseUrl"), options.stack?.());
    t.db = createDb({ url: inject("databaseUrl"), max: 2 }).db;
    t.browser = await launchChromium();
  });
  afterAll(async () => {
    if (t.db) await options.beforeStop?.(t);
    await t.browser?.close();
    await t.stack?.stop();
    await t.db?.destroy();
    // Uploads parse in a pool of child processes (started on first use): stopped, so the file can end.
    await closeUntrustedPool();
    await options.afterStop?.();
  });
  return t;
}

/** A fresh e-mail address (the run's one database is shared by every file and every run). */
export const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.test`;

/** How far the page scrolls sideways: more than 0 means something is wider than the window. */
export const overflowOf = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** The page fits its width without sideways scrolling and axe finds nothing serious; `where` names it in a failure. */
export async function fitsAndPassesAxe(page: Page, where = new URL(page.url()).pathname) {
  const width = page.viewportSize()?.width;
  expect(await overflowOf(page), `${where} @${width} scrolls sideways`).toBeLessThanOrEqual(0);
  const findings = await axeViolations(page);
  expect(findings, `${where} @${width}:\n${describeFindings(findings)}`).toEqual([]);
}

export const PHONE = { width: 390, height: 844 } as const;
export const DESKTOP = { width: 1280, height: 900 } as const;

/** `fitsAndPassesAxe` at a phone's width, then a desktop's; the page gets its own size back after. */
export async function fitsBothWidths(page: Page, where?: string) {
  const size = page.viewportSize() ?? DESKTOP;
  for (const viewport of [PHONE, DESKTOP]) {
    await page.setViewportSize(viewport);
    await fitsAndPassesAxe(page, where);
  }
  await page.setViewportSize(size);
}

/** Sign up through the form and wait for the dashboard's welcome; the page is then signed in. */
export async function signUpInBrowser(page: Page, account: { name: string; email: string; password?: string }) {
  await page.goto("/sign-up");
  await page.getByLabel("Display name").fill(account.name);
  await page.getByLabel("E-mail").fill(account.email);
  await page.getByLabel("Password", { exact: true }).fill(account.password ?? PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { level: 1, name: `Welcome, ${account.name}` }).waitFor({ state: "visible" });
}

/**
 * Press Tab (as a keyboard-only user does) until `target` has focus; fails after `limit` presses, so
 * an element the keyboard cannot reach, or reaches only after a maze, fails the test.
 */
export async function tabTo(page: Page, target: Locator, limit = 40) {
  for (let presses = 0; presses < limit; presses++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`not reached with ${limit} presses of Tab: ${target}`);
}

/** Jump to a page with the command palette (Ctrl+K, type, Enter) and wait for its heading. */
export async function paletteTo(page: Page, query: string, heading: string) {
  await page.keyboard.press("Control+k");
  await page.getByRole("dialog", { name: "Go to a page" }).waitFor({ state: "visible" });
  await page.keyboard.type(query);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { level: 1, name: heading }).waitFor({ state: "visible" });
}

/**
 * Named, time-bounded steps of a long browser journey: `step("connect X", async () => …)` fails with the
 * step's name, the page's address and a screenshot (test-results/FAILED-<prefix>-<n>-<name>.png).
 */
export function stepRunner(currentPage: () => Page, prefix: string, defaultTimeoutMs = STEP_TIMEOUT * 2) {
  let stepNumber = 0;
  mkdirSync(resultsDir, { recursive: true });
  return async function step(name: string, fn: () => Promise<void>, timeoutMs = defaultTimeoutMs) {
    const page = currentPage();
    const label = `${prefix}-${String(++stepNumber).padStart(2, "0")}-${name.replace(/\W+/g, "-").toLowerCase()}`;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        fn(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`step timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      if (keepScreenshots) await page.screenshot({ path: `${resultsDir}/${label}.png`, fullPage: true });
    } catch (error) {
      const path = `${resultsDir}/FAILED-${label}.png`;
      await page.screenshot({ path, fullPage: true }).catch(() => {});
      throw new Error(`Step "${name}" failed at ${page.url()} (screenshot: ${path}): ${(error as Error).message}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  };
}

/** A worker's part in a browser test: `jobs` on their own pg-boss (the API created their queues). */
export async function startJobWorker(options: {
  /** Names the worker's errors in the output. */
  tag: string;
  jobs: readonly JobDefinition[];
  /** What the jobs need beyond the database and a logger. */
  deps?: (worker: { db: Database; enqueue: Enqueue }) => Partial<WorkerDeps>;
}): Promise<{ db: Database; stop(): Promise<void> }> {
  const databaseUrl = inject("databaseUrl");
  const { db } = createDb({ url: databaseUrl, max: 2 });
  const boss = createBoss(databaseUrl, { supervise: false, schedule: false, max: 2 });
  await boss.start();
  const log = { info() {}, warn() {}, error: (o: object, m?: string) => console.error(`[${options.tag} worker]`, m, o) };
  const deps = { db, log, ...options.deps?.({ db, enqueue: createEnqueue(boss) }) };
  await registerJobs(boss, handlersFor(options.jobs), deps, { pollingIntervalSeconds: 0.5 });
  return {
    db,
    async stop() {
      await boss.stop({ graceful: false });
      deps.mailer?.close();
      await db.destroy();
    },
  };
}

export interface StripeBrowserStack extends BrowserStack {
  /** The local Stripe sandbox the stack pays through (its webhooks go to the stack). */
  stripe: StripeSandbox;
  /** The worker's own connection (fixtures may use it too). */
  workerDb: Database;
}

/**
 * `useBrowserStack` for paying: the stack talks to the local Stripe sandbox and a worker runs the jobs a
 * payment starts (payments' fulfilment by default, granted by the signed webhook as in production).
 */
export function useStripeBrowserStack(options: {
  tag: string;
  /** The stack's own variables, beside Stripe's. */
  env?: () => Record<string, string>;
  jobs?: readonly JobDefinition[];
  deps?: (worker: { db: Database; enqueue: Enqueue }) => Partial<WorkerDeps>;
  afterStop?: () => Promise<unknown>;
}): StripeBrowserStack {
  let worker: Awaited<ReturnType<typeof startJobWorker>> | undefined;
  beforeAll(async () => {
    t.stripe = await startStripeSandbox({ retryDelaysMs: [200, 1_000] });
  });
  const t = useBrowserStack({
    stack: () => ({
      env: {
        STRIPE_API_URL: t.stripe.url,
        STRIPE_SECRET_KEY: t.stripe.secretKey,
        STRIPE_WEBHOOK_SECRET: t.stripe.webhookSecret,
        ...options.env?.(),
      },
    }),
    async beforeStop() {
      await t.stripe?.settled();
      await worker?.stop();
    },
    async afterStop() {
      await t.stripe?.stop();
      await options.afterStop?.();
    },
  }) as StripeBrowserStack;
  beforeAll(async () => {
    t.stripe.setWebhookUrl(`${t.stack.baseUrl}/webhooks/stripe`);
    worker = await startJobWorker({ tag: options.tag, jobs: options.jobs ?? paymentsJobs, deps: options.deps });
    t.workerDb = worker.db;
  });
  return t;
}

/** A tRPC mutation from the page, as its signed-in user (fixtures the journey does not click through). */
export function callApi<T>(page: Page, path: string, input: unknown): Promise<T> {
  return page.evaluate(
    async ([p, body]) => {
      const res = await fetch(`/trpc/${p}`, { method: "POST", headers: { "content-type": "application/json" }, body });
      if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { result: { data: unknown } }).result.data;
    },
    [path, JSON.stringify(input)] as const,
  ) as Promise<T>;
}
