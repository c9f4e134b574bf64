/**
 * Your data in a real browser against the real stack: request an export, see it built by the
 * `account.build-export` job and download the zip through its signed link; then delete the account with
 * the password and the confirmation, land signed out, and find the account gone once
 * `account.delete-account` has run. The page is checked with axe at 1280 and 390 px.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb } from "@inkwell/db";
import { accountJobs } from "@inkwell/domain/account";
import { LocalDiskStorage } from "@inkwell/domain/files";
import { handlersFor } from "@inkwell/domain/jobs/handlers";
import { createBoss, createEnqueue, registerJobs } from "@inkwell/domain/platform";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { axeViolations, describeFindings } from "./axe.ts";
import { type BrowserSession, openBrowser, PASSWORD, resultsDir, signUpInBrowser } from "./browser.ts";
import { type Stack, startStack } from "./stack.ts";

const quiet = { info() {}, warn() {}, error: (o: object, m?: string) => console.error("[account worker]", m, o) };

let stack: Stack;
let session: BrowserSession;
let page: Page;
let filesDir: string;
let stopWorker: () => Promise<void>;

beforeAll(async () => {
  mkdirSync(resultsDir, { recursive: true });
  const databaseUrl = inject("databaseUrl");
  // One folder for the API (which serves the zip) and this worker (which writes it).
  filesDir = mkdtempSync(join(tmpdir(), "inkwell-e2e-account-"));
  stack = await startStack(databaseUrl, { env: { STORAGE_LOCAL_DIR: filesDir } });
  const { db } = createDb({ url: databaseUrl, max: 2 });
  const boss = createBoss(databaseUrl, { supervise: false, schedule: false, max: 2 });
  await boss.start();
  await registerJobs(
    boss,
    handlersFor(accountJobs),
    { db, log: quiet, storage: new LocalDiskStorage(filesDir), enqueue: createEnqueue(boss) },
    { pollingIntervalSeconds: 0.5 },
  );
  stopWorker = async () => {
    await boss.stop({ graceful: false });
    await db.destroy();
  };
  session = await openBrowser(stack.baseUrl, { viewport: { width: 1280, height: 900 } });
  page = session.page;
});

afterAll(async () => {
  await session?.close();
  await stopWorker?.();
  await stack?.stop();
  if (filesDir) rmSync(filesDir, { recursive: true, force: true });
});

describe("your data", () => {
  it("exports everything as a zip, then deletes the account", async () => {
    const email = `dana-${Date.now()}@example.test`;
    await signUpInBrowser(page, { name: "Dana", email });

    await page.goto("/settings");
    await page.getByRole("link", { name: "Your data" }).click();
    await page.getByRole("heading", { level: 1, name: "Your data" }).waitFor();
    await page.getByRole("button", { name: "Request an export" }).click();
    const exports = page.getByRole("list", { name: "Your exports" });
    await exports.getByText("Ready", { exact: true }).waitFor({ timeout: 20_000 });
    const link = exports.getByRole("link", { name: "Download zip" });
    const href = await link.getAttribute("href");
    expect(href).toMatch(/^\/files\/[0-9a-f-]{36}\?exp=\d+&sig=/);
    const zip = await page.request.get(href!);
    expect(zip.status()).toBe(200);
    expect(zip.headers()["content-type"]).toBe("application/zip");
    expect((await zip.body()).subarray(0, 2).toString()).toBe("PK");

    await page.screenshot({ path: `${resultsDir}/your-data-1280.png`, fullPage: true });
    const at1280 = await axeViolations(page);
    expect(at1280, describeFindings(at1280)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${resultsDir}/your-data-390.png`, fullPage: true });
    const at390 = await axeViolations(page);
    expect(at390, describeFindings(at390)).toEqual([]);

    // A wrong password is refused inside the confirmation, and nothing happens.
    await page.getByLabel("Your password").fill("not the password");
    await page.getByRole("button", { name: "Delete my account" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Delete your account for good?" });
    await dialog.getByRole("button", { name: "Delete my account" }).click();
    await dialog.getByText("That password is not correct.").waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();

    await page.getByLabel("Your password").fill(PASSWORD);
    await page.getByRole("button", { name: "Delete my account" }).click();
    await dialog.getByRole("button", { name: "Delete my account" }).click();
    await page.waitForURL(/\/sign-in/);

    // Once the job has run, the account is gone: signing in is refused.
    await expect
      .poll(
        async () => {
          const res = await page.request.post("/trpc/auth.signIn", {
            data: { email, password: PASSWORD, delivery: "bearer" },
            headers: { origin: stack.baseUrl },
          });
          return res.status();
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(401);
  });
});
