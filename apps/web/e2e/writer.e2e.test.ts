/**
 * The writer in a real browser against the real stack (API + worker jobs + database), with the API
 * talking to the local OpenAI-compatible server so outputs stream slowly enough to watch: add a
 * knowledge entry and see the worker index it, find it by live search, then (once the writer's session
 * procedures exist) generate a LinkedIn post and an X thread from a concept, see them stream in side
 * by side, iterate once and restore the first version.
 *
 * Set E2E_SCREENSHOTS=1 to keep a screenshot of every step in apps/web/test-results/.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type OpenAiCompatibleServer, startOpenAiCompatibleServer } from "@inkwell/domain/ai/testing";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Stack, startStack } from "./stack.ts";

const STEP_TIMEOUT = 15_000;
const resultsDir = fileURLToPath(new URL("../test-results", import.meta.url));
const keepScreenshots = process.env.E2E_SCREENSHOTS === "1";

let llm: OpenAiCompatibleServer;
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let stepNumber = 0;

beforeAll(async () => {
  mkdirSync(resultsDir, { recursive: true });
  llm = await startOpenAiCompatibleServer();
  stack = await startStack(inject("databaseUrl"), {
    env: { AI_PROVIDER: "openai", OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: "local", AI_CHAT_MODEL: "local-model" },
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-sync"],
  });
  context = await browser.newContext({ baseURL: stack.baseUrl, viewport: { width: 1400, height: 900 } });
  context.setDefaultTimeout(STEP_TIMEOUT);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.baseUrl });
  page = await context.newPage();
  page.on("pageerror", (error) => console.error("[browser] uncaught:", error));
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      console.error("[browser] console.error:", message.text());
    }
  });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.stop();
  await llm?.stop();
});

async function step(name: string, fn: () => Promise<void>) {
  const label = `writer-${String(++stepNumber).padStart(2, "0")}-${name.replace(/\W+/g, "-").toLowerCase()}`;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`step timed out after ${STEP_TIMEOUT * 2} ms`)), STEP_TIMEOUT * 2);
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
}

const heading = (name: string | RegExp) => page.getByRole("heading", { level: 1, name });
const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: STEP_TIMEOUT, interval: 50 });
const visible = (locator: Locator) => locator.first().waitFor({ state: "visible" });

describe("the writer in the browser", () => {
  it("adds a knowledge entry, sees it indexed and finds it by search", async () => {
    const started = performance.now();
    const email = `writer-${Date.now()}@example.test`;

    await step("sign up", async () => {
      await page.goto("/sign-up");
      await page.getByLabel("Display name").fill("Ada Lovelace");
      await page.getByLabel("E-mail").fill(email);
      await page.getByLabel("Password", { exact: true }).fill("correct horse battery staple");
      await page.getByRole("button", { name: "Create account" }).click();
      await visible(heading("Welcome, Ada Lovelace"));
    });

    await step("add a knowledge entry and watch it get indexed", async () => {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Knowledge" }).click();
      await visible(heading("Knowledge"));
      await visible(page.getByText("No entries yet"));
      await page.getByRole("button", { name: "Add an entry" }).click();
      const form = page.getByRole("form", { name: "New entry" });
      await form.getByLabel("Title").fill("My audience");
      await form.getByLabel("Category").selectOption("audience");
      await form.getByLabel("Content").fill("I write for early-stage SaaS founders who sell to engineering teams.");
      await form.getByRole("button", { name: "Add entry" }).click();
      const entries = page.getByRole("list", { name: "Knowledge entries" });
      const entry = entries.getByRole("listitem").filter({ hasText: "My audience" });
      await visible(entry);
      // Pending until the worker embeds it; the list polls and shows it searchable.
      await eventually(() => entry.locator(".wr-embed-status").getAttribute("data-status")).toBe("ready");
      await visible(entry.getByText("Searchable"));
    });

    await step("live search finds it and says why", async () => {
      await page.getByRole("searchbox", { name: "Search your knowledge" }).fill("saas founders");
      const results = page.getByRole("list", { name: "Entries matching saas founders" });
      await visible(results.getByText("My audience"));
      await visible(results.getByText("Best match for your words"));
    });

    console.log(`[e2e] writer knowledge in ${Math.round(performance.now() - started)} ms`);
  });
});
