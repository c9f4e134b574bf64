/**
 * A story's photos and recordings in a real browser against the real stack: the storyteller answers
 * through the link on a phone-sized page (390 px, no account), typing, adding a photo (shown with its
 * server-made thumbnail) and recording with the microphone (Chromium's fake device: MediaRecorder runs
 * for real); the owner then sees the photo and the recording on the story page, with the plain note
 * that the offline AI cannot transcribe, and types the transcript in.
 *
 * The answer link is made in the database (the e-mail that carries it is tested in stories.e2e.test.ts),
 * and the transcription job is run here with the stack's storage (its worker does not run stories jobs).
 *
 * Set E2E_SCREENSHOTS=1 to keep a screenshot of every step in apps/web/test-results/.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asSystem, createDb, type Database } from "@inkwell/db";
import { createAiProvider } from "@inkwell/domain/ai";
import { LocalDiskStorage } from "@inkwell/domain/files";
import { runJob } from "@inkwell/domain/jobs/handlers";
import { closeUntrustedPool } from "@inkwell/domain/platform";
import { transcribeAudioJob } from "@inkwell/domain/stories";
import { insertFixtureAnswerLink, jpegWithGps } from "@inkwell/domain/stories/testing";
import { sql } from "kysely";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { fitsAndPassesAxe, openPage, resultsDir, signUpInBrowser, stepRunner, uniqueEmail } from "./browser.ts";
import { type Stack, startStack } from "./stack.ts";

const log = { info() {}, warn() {}, error: (o: object, m?: string) => console.error(m, o) };

let stack: Stack;
let browser: Browser;
let db: Database;
const filesDir = mkdtempSync(join(tmpdir(), "inkwell-e2e-media-"));

beforeAll(async () => {
  const url = inject("databaseUrl");
  stack = await startStack(url, { env: { STORAGE_LOCAL_DIR: filesDir } });
  db = createDb({ url, max: 2 }).db;
  // As e2e/browser.ts launches it, plus a fake microphone that needs no permission prompt.
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--no-first-run",
      "--disable-sync",
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await db?.destroy();
  await stack?.stop();
  await closeUntrustedPool();
  rmSync(filesDir, { recursive: true, force: true });
});

let stepPage: Page;
// Two minutes a step: on the shared, busy machine a first page load alone has taken over 30 s.
const runStep = stepRunner(() => stepPage, "stories-media", 120_000);
const step = (page: Page, name: string, fn: () => Promise<void>) => {
  stepPage = page;
  return runStep(name, fn);
};

/** The image has loaded (a broken thumbnail has no natural width). */
const loaded = (page: Page, alt: string) =>
  page.waitForFunction((a) => {
    const img = [...document.querySelectorAll("img")].find((i) => i.alt === a);
    return Boolean(img?.complete && img.naturalWidth > 0);
  }, alt);

describe("story photos and recordings in the browser", () => {
  it("the storyteller answers on a phone with a photo and a recording; the owner sees them on the story", async () => {
    const { page } = await openPage(browser, stack.baseUrl);
    let campaignId = "";
    await step(page, "the owner creates a campaign", async () => {
      await signUpInBrowser(page, { name: "Olivia", email: uniqueEmail("owner") });
      await page.goto("/stories");
      await page.getByRole("button", { name: "New campaign" }).click();
      await page.getByLabel("Title", { exact: true }).fill("Grandpa's life");
      await page.getByLabel("Storyteller's name").fill("Grandpa Joe");
      await page.getByLabel("Goal (stories)").fill("10");
      await page.getByRole("button", { name: "Create campaign" }).click();
      await page.getByRole("heading", { level: 1, name: "Grandpa's life" }).waitFor();
      campaignId = /\/stories\/([0-9a-f-]{36})/.exec(page.url())?.[1] ?? "";
      expect(campaignId).not.toBe("");
    });

    // The question as the worker leaves it once mailed: sent, with a live link.
    const promptId = await asSystem(db, async (tx) => {
      const prompt = await tx
        .selectFrom("campaign_prompts")
        .select("id")
        .where("campaign_id", "=", campaignId)
        .where("status", "=", "queued")
        .orderBy("position")
        .executeTakeFirstOrThrow();
      await sql`UPDATE campaign_prompts SET status = 'sent', sent_at = now() WHERE id = ${prompt.id}`.execute(tx);
      return prompt.id;
    });
    const token = await asSystem(db, (tx) => insertFixtureAnswerLink(tx, { campaignId, promptId }));

    const phone = await openPage(browser, stack.baseUrl, { viewport: { width: 390, height: 844 } });
    await step(phone.page, "the storyteller types, adds a photo and records, on a phone", async () => {
      const p = phone.page;
      await p.goto(`/answer/${campaignId}/${promptId}?token=${token}`);
      await p.getByText("For Grandpa Joe").waitFor();
      await p.getByLabel("Your answer").fill("I built the boat with my father in 1952.");
      await p.getByLabel("Add photos (optional)").setInputFiles({
        name: "the-boat.jpg",
        mimeType: "image/jpeg",
        buffer: await jpegWithGps(600, 400),
      });
      await loaded(p, "Photo 1: the-boat.jpg");
      await p.getByLabel("Caption for photo 1").fill("The boat, finished");
      // The button's icon is drawn, not a character some phones' fonts lack: its text is only the words.
      const record = p.getByRole("button", { name: "Record your answer" });
      expect((await record.textContent())?.trim()).toBe("Record your answer");
      await record.click();
      await p.getByRole("button", { name: /Stop recording/ }).waitFor();
      await p.waitForTimeout(2_000);
      await p.getByRole("button", { name: /Stop recording/ }).click();
      await p.getByText("Recording 1 saved").waitFor();
      await p.screenshot({ path: `${resultsDir}/stories-media-answer-390.png`, fullPage: true });
      await fitsAndPassesAxe(p);
      await p.getByRole("button", { name: "Send my story" }).click();
      await p.getByText("with 1 photo and 1 recording").waitFor();
    });
    await phone.context.close();

    const story = await asSystem(db, (tx) =>
      tx.selectFrom("stories").select("id").where("campaign_prompt_id", "=", promptId).executeTakeFirstOrThrow(),
    );
    const audio = await asSystem(db, (tx) =>
      tx.selectFrom("story_audio").select("id").where("story_id", "=", story.id).executeTakeFirstOrThrow(),
    );
    // The worker's part, with the stack's storage: the offline AI has no transcription model.
    await runJob(
      transcribeAudioJob,
      { audioId: audio.id },
      { db, log, ai: createAiProvider({ provider: "offline" }), storage: new LocalDiskStorage(filesDir) },
    );

    await step(page, "the owner sees the photo with its caption and the recording, and types its transcript", async () => {
      await page.goto(`/stories/${campaignId}/story/${story.id}`);
      await page.getByRole("heading", { level: 2, name: "Photos" }).waitFor();
      await loaded(page, "The boat, finished");
      await page.getByText("no transcription model configured").waitFor();
      await page.getByLabel("Recording 1", { exact: true }).waitFor();
      await page.getByLabel("Transcript").fill("I built the boat with my father. It took two summers.");
      await page.getByRole("button", { name: "Save transcript" }).click();
      await page.getByText("Transcript saved.").waitFor();
      await page.getByLabel("Transcript (edited)").waitFor();
      await fitsAndPassesAxe(page);
    });
  }, 600_000);
});
