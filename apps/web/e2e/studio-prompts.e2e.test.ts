/**
 * The prompt studio in a real browser against the real stack, at phone width (390 px): upload a photo,
 * get five prompts from it (the offline AI: every card labelled a placeholder), edit one (marked
 * edited, its badge then saying it started from the placeholder), and the page neither overflows nor
 * fails axe.
 *
 * Set E2E_SCREENSHOTS=1 to keep a screenshot of every step in apps/web/test-results/.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalDiskStorage } from "@inkwell/domain/files";
import { jpegWithGps } from "@inkwell/domain/stories/testing";
import { assets } from "@inkwell/domain/studio";
import { thumbnailPng } from "@inkwell/domain/studio/testing";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  fitsAndPassesAxe,
  overflowOf,
  PHONE,
  resultsDir,
  signUpInBrowser,
  stepRunner,
  uniqueEmail,
  useBrowserStack,
} from "./browser.ts";

// One folder for the API and this test, which stores images straight into the user's library.
const filesDir = mkdtempSync(join(tmpdir(), "inkwell-e2e-prompts-"));
const t = useBrowserStack({
  stack: () => ({ env: { STORAGE_LOCAL_DIR: filesDir } }),
  afterStop: async () => rmSync(filesDir, { recursive: true, force: true }),
});

let page: Page;
const step = stepRunner(() => page, "studio-prompts", 120_000);

describe("prompts in the browser", () => {
  it("suggests five labelled placeholder prompts from a photo and edits one, on a phone", async () => {
    ({ page } = await t.openPage({ viewport: PHONE }));

    const email = uniqueEmail("pp");
    await step("sign up and upload a photo", async () => {
      await signUpInBrowser(page, { name: "Pia", email });
      await page.goto("/studio/assets");
      await page.getByRole("heading", { level: 1, name: "Assets" }).waitFor();
      await page
        .locator('input[type="file"]')
        .setInputFiles([{ name: "harbour.jpg", mimeType: "image/jpeg", buffer: await jpegWithGps(600, 400) }]);
      await page.getByRole("list", { name: "Assets, newest first" }).getByRole("listitem").first().waitFor({ timeout: 60_000 });
    });

    await step(
      "a full page of newer images: the photo is reached with Load more",
      async () => {
        const userId = await t.userIdOf(email);
        for (let i = 0; i < 48; i++) {
          await assets.storeGenerated(
            { db: t.db, storage: new LocalDiskStorage(filesDir) },
            { userId, bytes: thumbnailPng(`newer-${i}`), filename: `newer-${i}.png`, source: "generation" },
          );
        }
        await page.goto("/studio/prompts");
        await page.getByRole("heading", { level: 1, name: "Image prompts" }).waitFor();
        const picker = page.getByRole("list", { name: "Your images: pick one" });
        await expect.poll(() => picker.getByRole("listitem").count()).toBe(48);
        await page.getByRole("button", { name: "Load more" }).click();
        await expect.poll(() => picker.getByRole("listitem").count()).toBe(49);
      },
      180_000,
    );

    await step("five prompts from it, each labelled the offline placeholder's", async () => {
      await page.getByRole("button", { name: "harbour.jpg" }).click();
      await page.getByRole("button", { name: "Suggest five prompts" }).click();
      const cards = page.getByRole("list", { name: "Prompts, newest first" }).locator('[data-role="prompt-card"]');
      await expect.poll(() => cards.count(), { timeout: 60_000 }).toBe(5);
      await expect.poll(() => cards.locator('[data-role="placeholder"]').count()).toBe(5);
      await page.getByText("Five placeholder prompts were made").waitFor();
      await fitsAndPassesAxe(page);
    });

    await step("edit one: saved, marked edited, still no overflow", async () => {
      const first = page.locator('[data-role="prompt-card"]').first();
      await first.getByRole("button", { name: "Edit" }).click();
      await first.getByLabel("Prompt").fill("A lighthouse at dusk, long exposure, my own words");
      expect(await overflowOf(page)).toBeLessThanOrEqual(0);
      await first.getByRole("button", { name: "Save" }).click();
      const edited = page.locator('[data-role="prompt-card"]').filter({ hasText: "my own words" });
      await edited.locator('[data-role="edited"]').waitFor();
      // The text is the user's now: the badge says where it started, not that the placeholder wrote it.
      expect(await edited.locator('[data-role="placeholder"]').textContent()).toBe("Started from offline placeholder AI");
      await expect.poll(() => page.locator('[data-role="placeholder"]', { hasText: /^Offline placeholder AI$/ }).count()).toBe(4);
      expect(await overflowOf(page)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `${resultsDir}/studio-prompts-390.png`, fullPage: true });
      await fitsAndPassesAxe(page);
    });
  });
});
