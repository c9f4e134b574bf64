/**
 * The header's bell in the browser: it counts every unread notification (60 here, more than the 50 the
 * panel lists; it used to count only those 50), and "Mark all as read" is one request that clears them
 * all, those the panel does not list too (it used to send one request per listed notification), even when
 * the only unread one is older than the panel lists.
 */
import { createDb } from "@inkwell/db";
import { sql } from "kysely";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium, openPage, signUpInBrowser, stepRunner } from "./browser.ts";
import { type Stack, startStack } from "./stack.ts";

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let db: ReturnType<typeof createDb>["db"];

beforeAll(async () => {
  stack = await startStack(inject("databaseUrl"));
  ({ db } = createDb({ url: inject("databaseUrl"), max: 1 }));
  browser = await launchChromium();
  ({ context, page } = await openPage(browser, stack.baseUrl, { viewport: { width: 1280, height: 860 }, consoleErrors: true }));
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await db?.destroy();
  await stack?.stop();
});

const step = stepRunner(() => page, "bell");
const bell = () => page.getByRole("banner").getByRole("button", { name: /^Notifications/ });

describe("the notifications bell", () => {
  it("counts every unread notification and marks them all read in one request", async () => {
    const email = `bell-${Date.now()}@example.test`;
    const calls: string[] = [];
    page.on("request", (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith("/trpc/")) calls.push(...path.slice("/trpc/".length).split(","));
    });

    await step("sixty unread notifications: the bell counts them all", async () => {
      await signUpInBrowser(page, { name: "Bea", email });
      await sql`
        INSERT INTO notifications (user_id, kind, title, body, dedupe_key, created_at)
        SELECT u.id, 'e2e', 'Notice ' || g, '', 'e2e:' || g, now() - g * interval '1 second'
          FROM users u, generate_series(1, 60) g WHERE u.email = ${email}`.execute(db);
      await page.reload();
      await expect.poll(() => bell().getAttribute("aria-label")).toBe("Notifications, 60 unread");
    });

    await step("mark all as read: one request, and none are left", async () => {
      await bell().click();
      const panel = page.getByRole("dialog", { name: "Notifications" });
      await expect.poll(() => panel.getByRole("listitem").count()).toBe(50);
      calls.length = 0;
      await panel.getByRole("button", { name: "Mark all as read" }).click();
      await panel.getByText("All marked as read.").waitFor();
      await expect.poll(() => bell().getAttribute("aria-label")).toBe("Notifications");
      expect(calls.filter((c) => c === "notifications.markAllRead")).toHaveLength(1);
      expect(calls.filter((c) => c === "notifications.markRead")).toHaveLength(0);
      const { rows } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM notifications n JOIN users u ON u.id = n.user_id
         WHERE u.email = ${email} AND n.read_at IS NULL`.execute(db);
      expect(rows[0]?.n).toBe(0);
    });

    await step("one unread notice older than the 50 listed: mark all as read is offered for it", async () => {
      await sql`
        INSERT INTO notifications (user_id, kind, title, body, dedupe_key, created_at)
        SELECT u.id, 'e2e', 'An old notice', '', 'e2e:old', now() - interval '1 day'
          FROM users u WHERE u.email = ${email}`.execute(db);
      await page.keyboard.press("Escape");
      await page.reload();
      await expect.poll(() => bell().getAttribute("aria-label")).toBe("Notifications, 1 unread");
      await bell().click();
      const panel = page.getByRole("dialog", { name: "Notifications" });
      await expect.poll(() => panel.getByRole("listitem").count()).toBe(50);
      // None of the 50 listed is unread, so none has its own button: the panel's is the only way.
      expect(await panel.getByRole("button", { name: /^Mark as read/ }).count()).toBe(0);
      await panel.getByRole("button", { name: "Mark all as read" }).click();
      await panel.getByText("All marked as read.").waitFor();
      await expect.poll(() => bell().getAttribute("aria-label")).toBe("Notifications");
    });
  });
});
