/**
 * The studio's asset library in a real browser against the real stack, at phone width (390 px): upload
 * two photos through the file input (streamed with a progress bar, then attached), see them in the grid
 * with their server-made thumbnails, tag one, filter by the tag, delete it through the confirmation.
 *
 * Set E2E_SCREENSHOTS=1 to keep a screenshot of every step in apps/web/test-results/.
 */
import { asUser } from "@inkwell/db";
import { jpegWithGps } from "@inkwell/domain/stories/testing";
import { insertFixtureAsset, mp4Video } from "@inkwell/domain/studio/testing";
import { sql } from "kysely";
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

const t = useBrowserStack();
let page: Page;
// Two minutes a step: on the shared, busy machine a first page load alone has taken over 30 s.
const step = stepRunner(() => page, "studio-assets", 120_000);

/** The image has loaded (a broken thumbnail has no natural width). */
const loaded = (p: Page, alt: string) =>
  p.waitForFunction((a) => {
    const img = [...document.querySelectorAll("img")].find((i) => i.alt === a);
    return Boolean(img?.complete && img.naturalWidth > 0 && img.src.includes("/files/"));
  }, alt);

describe("the asset library in the browser", () => {
  it("uploads photos, shows their thumbnails, tags one, filters by the tag and deletes it, on a phone", async () => {
    ({ page } = await t.openPage({ viewport: PHONE }));

    await step("sign up and open Studio → Assets", async () => {
      await signUpInBrowser(page, { name: "Ada", email: uniqueEmail("assets") });
      await page.goto("/studio/assets");
      await page.getByRole("heading", { level: 1, name: "Assets" }).waitFor();
      await page.getByText("No assets yet").waitFor();
    });

    await step("upload two photos through the file input; both appear with thumbnails", async () => {
      await page.locator('input[type="file"]').setInputFiles([
        { name: "lighthouse.jpg", mimeType: "image/jpeg", buffer: await jpegWithGps(600, 400) },
        { name: "harbour.jpg", mimeType: "image/jpeg", buffer: await jpegWithGps(400, 300) },
      ]);
      await page.getByRole("progressbar", { name: "Upload of lighthouse.jpg" }).waitFor();
      await loaded(page, "lighthouse.jpg");
      await loaded(page, "harbour.jpg");
      const grid = page.getByRole("list", { name: "Assets, newest first" });
      await expect
        .poll(() =>
          grid
            .getByRole("listitem")
            .filter({ has: page.locator("img") })
            .count(),
        )
        .toBe(2);
      await page.screenshot({ path: `${resultsDir}/studio-assets-390.png`, fullPage: true });
      await fitsAndPassesAxe(page);
    });

    await step("tag one and filter by the tag", async () => {
      await page.getByLabel("Add a tag to lighthouse.jpg").fill("Coast");
      await page.getByRole("listitem", { name: "lighthouse.jpg" }).getByRole("button", { name: "Tag", exact: true }).click();
      await page.getByRole("button", { name: "Remove tag coast" }).waitFor();
      await page.getByRole("button", { name: "coast", exact: true }).click();
      await expect.poll(() => new URL(page.url()).searchParams.get("tag")).toBe("coast");
      const grid = page.getByRole("list", { name: "Assets, newest first" });
      await expect.poll(() => grid.getByRole("listitem", { name: /\.jpg$/ }).count()).toBe(1);
      await grid.getByRole("listitem", { name: "lighthouse.jpg" }).waitFor();
    });

    await step("delete it through the confirmation", async () => {
      await page.getByRole("listitem", { name: "lighthouse.jpg" }).getByRole("button", { name: "Delete", exact: true }).click();
      const dialog = page.getByRole("alertdialog");
      await dialog.getByText("Delete “lighthouse.jpg”?").waitFor();
      await dialog.getByRole("button", { name: "Delete" }).click();
      await page.getByText("No assets match these filters.").waitFor();
      await page.getByRole("button", { name: "Clear filters" }).click();
      await loaded(page, "harbour.jpg");
      // The unfiltered list was cached before the delete; it is refetched on showing again.
      await expect.poll(() => page.getByRole("listitem", { name: "lighthouse.jpg" }).count()).toBe(0);
    });

    await step("a photo with a 300-character name is added, its name cut to 255 characters", async () => {
      // The page used to send the whole name again when attaching, which refused it (the upload stayed orphaned).
      const name = `${"a".repeat(296)}.jpg`;
      await page
        .locator('input[type="file"]')
        .setInputFiles([{ name, mimeType: "image/jpeg", buffer: await jpegWithGps(300, 200) }]);
      await loaded(page, name.slice(0, 255));
      await expect.poll(() => page.getByRole("alert").count()).toBe(0);
    });
  });

  it("refuses a bulk action on more than 100 selected assets instead of applying it to the first 100", async () => {
    ({ page } = await t.openPage({ viewport: PHONE }));
    const email = uniqueEmail("bulk");
    const count = async (userId: string) =>
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM studio_assets WHERE user_id = ${userId}`.execute(t.db)).rows[0]?.n;
    let userId = "";
    await step("sign up; 101 assets in the library", async () => {
      await signUpInBrowser(page, { name: "Bo", email });
      userId = await t.userIdOf(email);
      await asUser(t.db, userId, async (tx) => {
        for (let i = 1; i <= 101; i++) await insertFixtureAsset(tx, userId, { filename: `seed-${i}.png`, tags: [] });
      });
    });

    await step("load all three pages, select all shown (100) and one more", async () => {
      await page.goto("/studio/assets");
      const grid = page.getByRole("list", { name: "Assets, newest first" });
      for (const shown of [96, 101]) {
        await page.getByRole("button", { name: "Load more" }).click();
        await expect.poll(() => grid.locator(":scope > li").count()).toBe(shown);
      }
      await page.getByLabel("Select all shown").click();
      await page.getByText("100 selected").waitFor();
      await grid.locator('input[type="checkbox"]:not(:checked)').first().check();
      await page.getByText("101 selected").waitFor();
    });

    await step("the bar says at most 100; Delete opens no confirmation and deletes nothing", async () => {
      await page.getByRole("alert").filter({ hasText: "At most 100 assets at once" }).waitFor({ timeout: 10_000 });
      const del = page.getByRole("region", { name: "Selected assets" }).getByRole("button", { name: "Delete", exact: true });
      expect(await del.getAttribute("aria-disabled")).toBe("true");
      await del.click({ force: true });
      await page.waitForTimeout(500);
      expect(await page.getByRole("alertdialog").count()).toBe(0);
      expect(await count(userId)).toBe(101);
      expect(await overflowOf(page)).toBeLessThanOrEqual(0);
    });
  });

  it("a video in the grid is not fetched until it is played (each would be read whole by the server, up to 50 MB)", async () => {
    ({ page } = await t.openPage({ viewport: PHONE }));
    const fetched: string[] = [];
    page.on("request", (r) => fetched.push(new URL(r.url()).pathname));
    await step("sign up and upload a video", async () => {
      await signUpInBrowser(page, { name: "Vi", email: uniqueEmail("video") });
      await page.goto("/studio/assets");
      await page.locator('input[type="file"]').setInputFiles([{ name: "clip.mp4", mimeType: "video/mp4", buffer: mp4Video() }]);
      await page.getByRole("listitem", { name: "clip.mp4" }).locator("video").waitFor();
    });
    await step("the page settles without fetching the video", async () => {
      const src = await page.getByRole("listitem", { name: "clip.mp4" }).locator("video").getAttribute("src");
      const path = new URL(src ?? "", t.stack.baseUrl).pathname;
      expect(path).toMatch(/^\/files\//);
      await page.waitForTimeout(1500);
      expect(fetched).not.toContain(path);
    });
  });

  it("a long e-mail address in the confirmation banner wraps at phone width (the page does not scroll sideways)", async () => {
    ({ page } = await t.openPage({ viewport: PHONE }));
    await step("sign up with a long address and open the library", async () => {
      await signUpInBrowser(page, { name: "Lo", email: uniqueEmail("a-rather-long-mailbox-name.for-the-studio") });
      await page.goto("/studio/assets");
      await page.getByRole("region", { name: "E-mail confirmation" }).waitFor();
      await page.getByText("No assets yet").waitFor();
      expect(await overflowOf(page)).toBeLessThanOrEqual(0);
    });
  });
});
