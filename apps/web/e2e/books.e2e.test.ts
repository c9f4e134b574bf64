/**
 * Books in a real browser against the real stack: an owner with a campaign of three stories starts a
 * book, reorders the stories and edits the cover while the live preview follows, renders the proof
 * (the real `books.render-book` handler: child-process renderer, pdfkit, MuPDF page images), sees the
 * page images, approves the proof and is offered the order; the designer is axe-clean and fits a phone.
 *
 * The stack's worker does not run the books jobs, so this file works that queue itself, on the same
 * storage folder and keys as the API (e2e files run one at a time, so no other file takes its jobs).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb } from "@inkwell/db";
import { renderBookJob } from "@inkwell/domain/books";
import { LocalDiskStorage } from "@inkwell/domain/files";
import { handlersFor } from "@inkwell/domain/jobs/handlers";
import { createBoss, generateKeySpec, parseKeyRing, registerJobs } from "@inkwell/domain/platform";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  callApi,
  fitsAndPassesAxe,
  launchChromium,
  openPage,
  PHONE,
  signUpInBrowser,
  stepRunner,
  uniqueEmail,
} from "./browser.ts";
import { type Stack, startStack } from "./stack.ts";

const log = { info() {}, warn() {}, error: (o: object, m?: string) => console.error(m, o) };

let stack: Stack;
let browser: Browser;
let page: Page;
let stopWorker: () => Promise<void>;
const filesDir = mkdtempSync(join(tmpdir(), "inkwell-e2e-books-"));
const keys = generateKeySpec("books-e2e");

beforeAll(async () => {
  const url = inject("databaseUrl");
  stack = await startStack(url, { env: { STORAGE_LOCAL_DIR: filesDir, INKWELL_ENCRYPTION_KEYS: keys } });
  const { db } = createDb({ url, max: 2 });
  const boss = createBoss(url, { supervise: false, schedule: false, max: 2 });
  await boss.start();
  await registerJobs(
    boss,
    handlersFor([renderBookJob]),
    { db, log, storage: new LocalDiskStorage(filesDir), keyRing: parseKeyRing(keys) },
    { pollingIntervalSeconds: 0.5 },
  );
  stopWorker = async () => {
    await boss.stop({ graceful: false });
    await db.destroy();
  };
  browser = await launchChromium();
  page = (await openPage(browser, stack.baseUrl)).page;
});

afterAll(async () => {
  await browser?.close();
  await stopWorker?.();
  await stack?.stop();
  rmSync(filesDir, { recursive: true, force: true });
});

// The machine may be busy (the browser tests share it with other work): every step gets two minutes.
const step = stepRunner(() => page, "books", 120_000);

describe("books in the browser", () => {
  it("designs a book with a live preview, renders the proof, sees its pages and approves it", async () => {
    await step("sign up with a campaign of three stories", async () => {
      await signUpInBrowser(page, { name: "Bea Books", email: uniqueEmail("books") });
      const campaign = await callApi<{ id: string }>(page, "stories.campaigns.create", {
        title: "Nana's stories",
        storytellerName: "Nana",
        relationshipType: "grandparent",
        goalStories: 5,
        themes: ["family"],
      });
      for (const title of ["The seaside", "The war years", "The shop on King Street"])
        await callApi(page, "stories.create", {
          campaignId: campaign.id,
          title,
          content: `${title}. ${"We remember it well, and we tell it often. ".repeat(30)}`,
          status: "completed",
        });
    });

    await step("start a book from the campaign", async () => {
      await page.goto("/books");
      await page.getByRole("heading", { level: 2, name: "Nana's stories" }).waitFor();
      await page.getByRole("button", { name: "New book" }).click();
      await page.getByLabel("Book title").fill("Nana's Life");
      await page.getByRole("button", { name: "Create book" }).click();
      await page.getByRole("heading", { level: 1, name: "Nana's Life" }).waitFor();
      const toc = page.getByTestId("live-outline").getByRole("listitem");
      await expect.poll(() => toc.allTextContents()).toEqual(["The seaside", "The war years", "The shop on King Street"]);
    });

    await step("reorder the stories and edit the cover: the live preview follows before saving", async () => {
      await page.getByRole("button", { name: "Move “The shop on King Street” up" }).click();
      await page.getByLabel("Subtitle").fill("In her own words");
      await page.getByLabel("Modern").check();
      const outline = page.getByTestId("live-outline");
      await expect
        .poll(() => outline.getByRole("listitem").allTextContents())
        .toEqual(["The seaside", "The shop on King Street", "The war years"]);
      await outline.getByText("In her own words").waitFor();
      await outline.getByText("Modern · 3 stories · 0 photos").waitFor();
      await page.getByRole("button", { name: "Save design" }).click();
      await page.getByRole("button", { name: "Design saved" }).waitFor();
    });

    await step(
      "render the proof: the worker typesets it and the page images appear",
      async () => {
        await page.getByRole("button", { name: "Render proof" }).click();
        await page.getByAltText("Cover").waitFor({ timeout: 150_000 });
        await page.getByAltText("Page 3").waitFor();
        await page
          .getByTestId("render-status")
          .getByText(/Proof of the current design/)
          .waitFor();
        // The images are real PNGs served through signed links (lazy: loaded once scrolled to).
        const first = page.getByAltText("Page 1");
        await first.scrollIntoViewIfNeeded();
        await expect
          .poll(() => first.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 30_000 })
          .toBe(true);
        await page.getByRole("link", { name: /Download the interior \(PDF, \d+ pages\)/ }).waitFor();
      },
      180_000,
    );

    await step("approve the proof: the book is ready to order", async () => {
      await page.getByRole("button", { name: "Approve proof" }).click();
      await page.getByText(/Proof approved/).waitFor();
      await page.getByRole("link", { name: "order printed copies" }).waitFor();
      await page.getByText("Ready to order").first().waitFor();
      await fitsAndPassesAxe(page);
    });

    await step("the designer fits a phone", async () => {
      await page.setViewportSize(PHONE);
      await page.reload();
      await page.getByRole("heading", { level: 1, name: "Nana's Life" }).waitFor();
      await fitsAndPassesAxe(page);
    });
  });
});
