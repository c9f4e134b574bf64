/**
 * Administration and feedback in a real browser against the real stack: an administrator (a user made
 * admin in the database, as an operator would) publishes an announcement from /admin on a desktop; a user
 * on a phone sees the banner, dismisses it (remembered after a reload), and sends feedback and a bug report
 * from /feedback; the administrator marks the feedback reviewed and the user sees the new status. Every
 * page fits its width and passes axe. The announcement ends a few minutes later and is turned off at the
 * end (the run's database is shared with other files, whose pages would show it).
 */
import { sql } from "kysely";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  DESKTOP,
  fitsAndPassesAxe,
  fitsBothWidths,
  PHONE,
  signUpInBrowser,
  stepRunner,
  uniqueEmail,
  useBrowserStack,
} from "./browser.ts";
import { goTo } from "./shell-nav.ts";

const title = `Exam week ${Math.random().toString(36).slice(2, 7)}`;
const t = useBrowserStack({
  // Never leave a live announcement in the shared database.
  beforeStop: ({ db }) => sql`UPDATE announcements SET enabled = false WHERE title = ${title}`.execute(db).catch(() => {}),
});
let page: Page;
const step = stepRunner(() => page, "admin", 60_000);

/** A `datetime-local` value `minutes` from now, in the browser's (and this process's) time zone. */
function localInputValue(minutes: number) {
  const d = new Date(Date.now() + minutes * 60_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

describe("admin and feedback in the browser", () => {
  it("an admin announces, a user sees the banner and sends feedback, the admin reviews it", async () => {
    const admin = await t.openPage({ viewport: DESKTOP });
    const user = await t.openPage({ viewport: PHONE });
    const adminEmail = uniqueEmail("adm");
    const message = `Flashcards in dark mode would be lovely ${Math.random().toString(36).slice(2, 6)}`;

    page = admin.page;
    await step("a plain account has no Admin page", async () => {
      await signUpInBrowser(page, { name: "Ada", email: adminEmail });
      await page.goto("/admin");
      await page.getByRole("heading", { level: 1, name: /not found/i }).waitFor();
    });

    await step("made an administrator, the account menu links Admin", async () => {
      await sql`UPDATE users SET role = 'admin' WHERE email = ${adminEmail}`.execute(t.db);
      await page.goto("/");
      await page.getByRole("heading", { level: 1, name: "Welcome, Ada" }).waitFor();
      await goTo(page, "Account", "Admin");
      await page.getByRole("heading", { level: 1, name: "Admin" }).waitFor();
      await page.getByRole("heading", { name: "Open work" }).waitFor();
      await fitsAndPassesAxe(page);
    });

    await step("publishes an announcement that ends in a few minutes", async () => {
      await page.getByRole("navigation", { name: "Admin sections" }).getByRole("link", { name: "Announcements" }).click();
      const form = page.getByRole("form", { name: "New announcement" });
      await form.getByLabel("Title").fill(title);
      await form.getByLabel("Message", { exact: true }).fill("The library stays open until midnight.");
      await form.getByLabel(/Ends/).fill(localInputValue(5));
      await form.getByRole("button", { name: "Save announcement" }).click();
      const list = page.getByRole("list", { name: "Announcements, newest first" });
      await list.getByRole("listitem").filter({ hasText: title }).getByText("Showing", { exact: true }).waitFor();
      await fitsAndPassesAxe(page);
    });

    page = user.page;
    await step("a user on a phone sees the banner and dismisses it for good", async () => {
      await signUpInBrowser(page, { name: "Uma", email: uniqueEmail("uma") });
      const banner = page.getByRole("region", { name: "Announcements" });
      await banner.getByRole("listitem").filter({ hasText: title }).waitFor();
      await fitsAndPassesAxe(page);
      await banner
        .getByRole("listitem")
        .filter({ hasText: title })
        .getByRole("button", { name: /^Dismiss/ })
        .click();
      await expect.poll(() => page.getByText(title).count()).toBe(0);
      await page.reload();
      await page.getByRole("heading", { level: 1, name: "Welcome, Uma" }).waitFor();
      // The banner's query has answered (the page is interactive) and the dismissed one stays away.
      await page.waitForLoadState("networkidle");
      expect(await page.getByText(title).count()).toBe(0);
    });

    await step("sends feedback and sees it listed as received", async () => {
      await page.goto("/feedback");
      await page.getByRole("heading", { level: 1, name: "Feedback" }).waitFor();
      const form = page.getByRole("form", { name: "Send feedback" });
      // A message too short: the field says so.
      await form.getByLabel("Your feedback").fill("Hi");
      await form.getByRole("button", { name: "Send feedback" }).click();
      await form.getByText("Write a little more.").waitFor();
      await form.getByLabel("Kind of feedback").selectOption("feature_request");
      await form.getByLabel("Your feedback").fill(message);
      await form.getByRole("radio", { name: "4 out of 5" }).check();
      await form.getByRole("button", { name: "Send feedback" }).click();
      await form.getByText("Thank you for the feedback.").waitFor();
      const mine = page.getByRole("list", { name: "Your reports and feedback, newest first" });
      const row = mine.getByRole("listitem").filter({ hasText: message });
      await row.getByText("Status: Received").waitFor();
      await row.getByText("Feature request · rated 4/5").waitFor();
      await fitsAndPassesAxe(page);
    });

    await step("reports a bug: a too-short description is marked on its field, then it is sent and listed", async () => {
      const form = page.getByRole("form", { name: "Report a bug" });
      const description = form.getByLabel("What happened?");
      await description.fill("broken");
      await form.getByRole("button", { name: "Send report" }).click();
      await form.getByText("Describe what happened in a few words more.").waitFor();
      expect(await description.getAttribute("aria-invalid")).toBe("true");
      await fitsAndPassesAxe(page);
      await form.getByRole("radio", { name: "High" }).check();
      await form.getByLabel(/^Error code/).fill("E2E-42");
      await form.getByLabel(/Include my browser's details/).check();
      await description.fill(`The results page stays blank ${message.slice(-4)}`);
      await form.getByRole("button", { name: "Send report" }).click();
      await form.getByText("Thank you. Your report was sent").waitFor();
      expect(await description.inputValue()).toBe("");
      const row = page
        .getByRole("list", { name: "Your reports and feedback, newest first" })
        .getByRole("listitem")
        .filter({ hasText: "The results page stays blank" });
      await row.getByText("Bug report · High").waitFor();
      await row.getByText("Status: Received").waitFor();
    });

    page = admin.page;
    await step("the admin marks it reviewed, with a note the user never sees", async () => {
      await page.getByRole("navigation", { name: "Admin sections" }).getByRole("link", { name: "Feedback" }).click();
      const list = page.getByRole("list", { name: "Feedback, newest first" });
      const item = list.getByRole("listitem").filter({ hasText: message });
      await item.waitFor();
      await item.getByLabel("Status").selectOption("reviewed");
      await item.getByLabel("Notes (staff only)").fill("Planned for the next release");
      await item.getByRole("button", { name: /^Save/ }).click();
      // Reviewed, it leaves the list of received feedback at once ("Saved." goes with it: not waited
      // for, it raced the refetch); listed under Reviewed, it keeps its note.
      await expect.poll(() => item.count()).toBe(0);
      await page.getByRole("region", { name: "Feedback", exact: true }).getByLabel("Status").first().selectOption("reviewed");
      await expect.poll(() => item.getByLabel("Notes (staff only)").inputValue()).toBe("Planned for the next release");
      // The admin pages fit a phone too.
      await fitsBothWidths(page);
    });

    page = user.page;
    await step("the user sees the new status", async () => {
      await page.reload();
      const mine = page.getByRole("list", { name: "Your reports and feedback, newest first" });
      const row = mine.getByRole("listitem").filter({ hasText: message });
      await row.getByText("Status: Reviewed").waitFor();
      expect(await page.getByText("Planned for the next release").count()).toBe(0);
    });

    page = admin.page;
    await step("the admin turns the announcement off", async () => {
      await page.getByRole("navigation", { name: "Admin sections" }).getByRole("link", { name: "Announcements" }).click();
      const item = page
        .getByRole("list", { name: "Announcements, newest first" })
        .getByRole("listitem")
        .filter({ hasText: title });
      await item.getByRole("button", { name: /^Turn off/ }).click();
      await item.getByText("Off", { exact: true }).waitFor();
    });

    await admin.context.close();
    await user.context.close();
  });
});
