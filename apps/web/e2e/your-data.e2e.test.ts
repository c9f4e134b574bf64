/**
 * Your data in a real browser against the real stack: request an export, see it built by the
 * `account.build-export` job and download the zip through its signed link; then delete the account with
 * the password and the confirmation, land signed out, and find the account gone once
 * `account.delete-account` has run. The page is checked with axe at 1280 and 390 px.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { accountJobs } from "@inkwell/domain/account";
import { LocalDiskStorage } from "@inkwell/domain/files";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  fitsAndPassesAxe,
  PASSWORD,
  PHONE,
  resultsDir,
  signUpInBrowser,
  startJobWorker,
  uniqueEmail,
  useBrowserStack,
} from "./browser.ts";

// One folder for the API (which serves the zip) and this worker (which writes it).
const filesDir = mkdtempSync(join(tmpdir(), "inkwell-e2e-account-"));
let worker: Awaited<ReturnType<typeof startJobWorker>> | undefined;
const t = useBrowserStack({
  stack: () => ({ env: { STORAGE_LOCAL_DIR: filesDir } }),
  beforeStop: async () => worker?.stop(),
  afterStop: async () => rmSync(filesDir, { recursive: true, force: true }),
});
let page: Page;

beforeAll(async () => {
  mkdirSync(resultsDir, { recursive: true });
  worker = await startJobWorker({
    tag: "account",
    jobs: accountJobs,
    deps: ({ enqueue }) => ({ storage: new LocalDiskStorage(filesDir), enqueue }),
  });
  ({ page } = await t.openPage());
});

describe("your data", () => {
  it("exports everything as a zip, then deletes the account", async () => {
    const email = uniqueEmail("dana");
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
    await fitsAndPassesAxe(page);
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: `${resultsDir}/your-data-390.png`, fullPage: true });
    await fitsAndPassesAxe(page);

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
            headers: { origin: t.stack.baseUrl },
          });
          return res.status();
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(401);
  });
});
