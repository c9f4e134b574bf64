/**
 * The studio in a real browser against the real stack. Reels: save a reel link, and see it approved with
 * its view count and thumbnail (below). The generation flow (last test): upload a photo to the asset
 * library, get five prompts from it, generate an image from one and watch it complete live (the worker
 * here runs the generation jobs with the offline renderer, labelled as a placeholder), save it as an
 * asset, and use it in a draft post.
 *
 * Studio reels in a real browser against the real stack: save a reel link, and see it approved with
 * its view count and thumbnail, fetched by the `studio.fetch-reel-stats` job through the reel-stats
 * adapter from the local stats service (over HTTP, the thumbnail stored in the API's storage and
 * served by a signed URL). A second paste of the same reel says it is saved already. The board is
 * checked with axe and screenshotted at 1280 and 390 px.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asUser } from "@inkwell/db";
import { createAiProvider } from "@inkwell/domain/ai";
import { insertFixtureConnection } from "@inkwell/domain/connections/testing";
import { LocalDiskStorage } from "@inkwell/domain/files";
import { jpegWithGps } from "@inkwell/domain/stories/testing";
import { createReelStatsClient, studioJobs } from "@inkwell/domain/studio";
import { type ReelStatsSandbox, startReelStatsSandbox } from "@inkwell/domain/studio/testing";
import { sql } from "kysely";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  fitsAndPassesAxe,
  overflowOf,
  PHONE,
  resultsDir,
  signUpInBrowser,
  startJobWorker,
  uniqueEmail,
  useBrowserStack,
} from "./browser.ts";

// One folder for the API (which serves the thumbnail) and this worker (which stores it).
const filesDir = mkdtempSync(join(tmpdir(), "inkwell-e2e-studio-"));
let stats: ReelStatsSandbox;
let worker: Awaited<ReturnType<typeof startJobWorker>> | undefined;

beforeAll(async () => {
  stats = await startReelStatsSandbox();
});
const t = useBrowserStack({
  stack: () => ({ env: { STORAGE_LOCAL_DIR: filesDir } }),
  beforeStop: async () => worker?.stop(),
  afterStop: async () => {
    await stats?.stop();
    rmSync(filesDir, { recursive: true, force: true });
  },
});
let page: Page;

beforeAll(async () => {
  mkdirSync(resultsDir, { recursive: true });
  worker = await startJobWorker({
    tag: "studio",
    jobs: studioJobs,
    deps: ({ enqueue }) => ({
      storage: new LocalDiskStorage(filesDir),
      reelStats: createReelStatsClient({ baseUrl: stats.url }),
      // The generation jobs: the offline renderer (the stack's API is offline too), enqueueing their next polls.
      ai: createAiProvider({ provider: "offline" }),
      enqueue,
    }),
  });
  ({ page } = await t.openPage());
});

describe("studio reels", () => {
  it("saves a reel and sees it approved with its views and thumbnail", async () => {
    const shortcode = `C${Date.now().toString(36)}Xy`;
    stats.setReel("instagram", shortcode, { views: 1_234_567, title: "Morning routine in 15 s" });
    await signUpInBrowser(page, { name: "Rhea", email: uniqueEmail("rhea") });

    await page.goto("/studio/reels");
    await page.getByRole("heading", { level: 1, name: "Viral reels" }).waitFor();
    await page.getByText("No reels yet").waitFor();
    // The stand-in's numbers are labelled as such (no reel-stats provider is configured here).
    await page.getByText("Placeholder view counts.").waitFor();

    await page.getByLabel("Reel link").fill(`https://www.instagram.com/reel/${shortcode}/?igsh=MWQ1ZGUxMzBkMA==`);
    await page.getByRole("button", { name: "Save reel" }).click();

    const card = page.getByRole("listitem", { name: "Morning routine in 15 s" });
    await card.waitFor({ timeout: 15_000 });
    await card.getByText("1,234,567 views").waitFor();
    await card.getByText("Approved", { exact: true }).waitFor();
    const thumbnail = card.getByRole("img", { name: "Thumbnail of Morning routine in 15 s" });
    await thumbnail.waitFor();
    // The image really loaded (from our signed /files URL, not the platform's).
    await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(90);
    expect(await thumbnail.getAttribute("src")).toMatch(/^\/files\/[0-9a-f-]{36}\?exp=\d+&sig=/);
    expect(stats.requests.filter((r) => r.path === `/v1/reels/instagram/${shortcode}/thumbnail`)).toHaveLength(1);
    await page.screenshot({ path: `${resultsDir}/studio-reels-1280.png`, fullPage: true });
    await fitsAndPassesAxe(page);

    // The same reel copied another way is the same reel.
    await page.getByLabel("Reel link").fill(`instagram.com/p/${shortcode}`);
    await page.getByRole("button", { name: "Save reel" }).click();
    await page.getByText("You have already saved this reel.").waitFor();
    expect(await page.getByRole("listitem").count()).toBe(1);

    // The user overrules the rule; a filter by status shows it where it now belongs.
    await card.getByRole("button", { name: "Deny" }).click();
    await card.getByText("Denied (yours)").waitFor();
    await page.getByLabel("Status").selectOption("approved");
    await page.getByText("No reels match these filters.").waitFor();
    await page.getByLabel("Status").selectOption("denied");
    await card.waitFor();

    await page.setViewportSize(PHONE);
    await card.getByText("1,234,567 views").waitFor();
    await page.screenshot({ path: `${resultsDir}/studio-reels-390.png`, fullPage: true });
    await fitsAndPassesAxe(page);
  });
});

describe("from a photo to a post", () => {
  it("uploads a photo, gets five prompts, generates an image live, saves it as an asset and attaches it to a post", async () => {
    const email = uniqueEmail("gen");
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.context().clearCookies();
    await signUpInBrowser(page, { name: "Gia", email });

    await page.goto("/studio/assets");
    await page.getByRole("heading", { level: 1, name: "Assets" }).waitFor();
    await page
      .locator('input[type="file"]')
      .setInputFiles([{ name: "lighthouse.jpg", mimeType: "image/jpeg", buffer: await jpegWithGps(600, 400) }]);
    await page.getByRole("list", { name: "Assets, newest first" }).getByRole("listitem").first().waitFor({ timeout: 60_000 });

    await page.goto("/studio/prompts");
    await page.getByRole("heading", { level: 1, name: "Image prompts" }).waitFor();
    await page.getByRole("button", { name: "lighthouse.jpg" }).click();
    await page.getByRole("button", { name: "Suggest five prompts" }).click();
    const cards = page.getByRole("list", { name: "Prompts, newest first" }).locator('[data-role="prompt-card"]');
    await expect.poll(() => cards.count(), { timeout: 60_000 }).toBe(5);

    await cards.first().getByRole("link", { name: "Generate image" }).click();
    await page.getByRole("heading", { level: 1, name: "Image generations" }).waitFor();
    expect(new URL(page.url()).searchParams.get("promptId")).toMatch(/^[0-9a-f-]{36}$/);
    await page.locator('[data-role="chosen-prompt"] strong').waitFor();
    await page.getByText("· live").waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Generate image" }).click();

    // The status moves on its own (the watch subscription; no reload) to done, with the image.
    const item = page.locator('[data-role="generation"]').first();
    await item.waitFor();
    await expect.poll(() => item.getAttribute("data-status"), { timeout: 90_000 }).toBe("completed");
    await item.getByText("Offline placeholder image").waitFor();
    const image = item.locator('[data-role="generation-result"] img');
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await page.screenshot({ path: `${resultsDir}/studio-generations-1280.png`, fullPage: true });
    await fitsAndPassesAxe(page);

    await item.getByRole("button", { name: "Save to assets" }).click();
    await item.getByText("Saved to assets").waitFor({ timeout: 60_000 });

    // A post needs an account to go to: one connected account, written as the user.
    const userId = await t.userIdOf(email);
    await asUser(t.db, userId, (tx) => insertFixtureConnection(tx, userId));
    const prompt = (await item.locator('[data-role="generation-prompt"]').textContent())?.trim() ?? "";
    await item.getByRole("button", { name: "Use in a post" }).click();
    // The new draft opens in its editor (not only somewhere in the drafts list), with the prompt as its text.
    await page.waitForURL(/\/publishing\?saved=draft&edit=[0-9a-f-]{36}/, { timeout: 60_000 });
    const postId = new URL(page.url()).searchParams.get("edit");
    const editor = page.locator(`[data-post-id="${postId}"]`).getByRole("textbox").first();
    await editor.waitFor({ timeout: 30_000 });
    expect(await editor.inputValue()).toBe(prompt.length > 200 ? `${prompt.slice(0, 199)}…` : prompt);
    await expect.poll(() => editor.evaluate((el) => el === document.activeElement)).toBe(true);
    const drafts = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM scheduled_posts
       WHERE user_id = ${userId} AND status = 'draft' AND cardinality(media_file_ids) = 1`.execute(t.db);
    expect(drafts.rows[0]?.n).toBe(1);
    const assets = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM studio_assets WHERE user_id = ${userId} AND source = 'generation'`.execute(t.db);
    expect(assets.rows[0]?.n).toBe(1);

    await page.goto("/studio/generations");
    await page.setViewportSize(PHONE);
    await page.locator('[data-role="generation"]').first().waitFor();
    expect(await overflowOf(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${resultsDir}/studio-generations-390.png`, fullPage: true });
  });
});

describe("a generations page left open", () => {
  it("keeps updating after the server ends its watch (a new watch follows)", async () => {
    // Watches end after two seconds here (ten minutes in service): several end while this page is open.
    process.env.STUDIO_WATCH_MAX_MS = "2000";
    try {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.context().clearCookies();
      await signUpInBrowser(page, { name: "Lena", email: uniqueEmail("watch") });
      await page.goto("/studio/generations");
      await page.getByRole("heading", { level: 1, name: "Image generations" }).waitFor();
      await page.getByText("· live").waitFor({ timeout: 30_000 });
      // The first watch has ended by now.
      await page.waitForTimeout(3_000);
      // What it costs is said before it is spent (the hold is taken on submit).
      await page.getByText("Costs 40 credits").waitFor();
      await page.getByLabel("Describe the image").fill("a harbour at night, long exposure");
      await page.getByRole("button", { name: "Generate image" }).click();
      const item = page.locator('[data-role="generation"]').first();
      await item.waitFor();
      await expect.poll(() => item.getAttribute("data-status"), { timeout: 60_000 }).toBe("completed");
      await page.getByText("· live").waitFor();
    } finally {
      delete process.env.STUDIO_WATCH_MAX_MS;
    }
  });
});
