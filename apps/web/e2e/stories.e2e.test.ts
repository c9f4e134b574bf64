/**
 * Family stories in a real browser against the real stack: an owner creates a campaign, invites a
 * family member, who creates an account through the e-mailed link and lands in the campaign; the owner
 * sends the next question, and the storyteller answers it through the e-mailed link on a phone-sized
 * page (390 px, no account), after which the story shows on the owner's dashboard.
 *
 * The stack's worker does not run the stories jobs, so this file works their two mail queues itself
 * (e2e files run one at a time, so no other file takes its jobs).
 *
 * Set E2E_SCREENSHOTS=1 to keep a screenshot of every step in apps/web/test-results/.
 */
import { createSmtpMailer } from "@inkwell/domain/platform";
import { sendInviteJob, sendPromptJob } from "@inkwell/domain/stories";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  fitsAndPassesAxe,
  overflowOf,
  PASSWORD,
  PHONE,
  signUpInBrowser,
  startJobWorker,
  stepRunner,
  uniqueEmail,
  useBrowserStack,
} from "./browser.ts";

let worker: Awaited<ReturnType<typeof startJobWorker>> | undefined;
const t = useBrowserStack({ beforeStop: async () => worker?.stop() });

beforeAll(async () => {
  worker = await startJobWorker({
    tag: "stories",
    jobs: [sendInviteJob, sendPromptJob],
    deps: () => ({ mailer: createSmtpMailer({ url: t.stack.smtp.url, from: "Inkwell <no-reply@inkwell.test>" }) }),
  });
});

// Steps run on several pages (owner, invitee, storyteller): each names the page its screenshot is of.
let stepPage: Page;
const runStep = stepRunner(() => stepPage, "stories");
const step = (page: Page, name: string, fn: () => Promise<void>) => {
  stepPage = page;
  return runStep(name, fn);
};

describe("family stories in the browser", () => {
  it("creates a campaign, invites a member who joins through the e-mail, and the storyteller answers on a phone", async () => {
    const ownerEmail = uniqueEmail("owner");
    const memberEmail = uniqueEmail("cousin");
    const storytellerEmail = uniqueEmail("grandma");
    const { page } = await t.openPage();

    await step(page, "create a campaign", async () => {
      await signUpInBrowser(page, { name: "Olivia", email: ownerEmail });
      await page.goto("/stories");
      await page.getByRole("button", { name: "New campaign" }).click();
      await page.getByLabel("Title", { exact: true }).fill("Grandma's life");
      await page.getByLabel("Storyteller's name").fill("Grandma Rose");
      await page.getByLabel("Storyteller's e-mail").fill(storytellerEmail);
      await page.getByLabel("Goal (stories)").fill("12");
      await page.getByRole("button", { name: "Create campaign" }).click();
      await page.getByRole("heading", { level: 1, name: "Grandma's life" }).waitFor();
      await page.getByText("0 of 12 (0%)").waitFor();
    });

    await step(page, "invite a family member", async () => {
      await page.getByRole("link", { name: "Family" }).click();
      const form = page.getByRole("form", { name: "Invite a family member" });
      await form.getByLabel("E-mail").fill(memberEmail);
      await form.getByLabel("Name").fill("Cousin Sam");
      await form.getByRole("button", { name: "Send invitation" }).click();
      await page.getByText(`Invitation sent to ${memberEmail}.`).waitFor();
      await page.getByText("invited, not joined yet").waitFor();
    });

    const member = await t.openPage();
    await step(member.page, "the invitee signs up through the e-mailed link and lands in the campaign", async () => {
      const link = await t.stack.linkFromMail(memberEmail, "/invite");
      await member.page.goto(link);
      await member.page.getByText("You are invited to").waitFor();
      const form = member.page.getByRole("form", { name: "Create an account and join" });
      expect(await form.getByLabel("E-mail").inputValue()).toBe(memberEmail);
      await form.getByLabel("Your name").fill("Sam");
      await form.getByLabel("Password").fill(PASSWORD);
      await form.getByRole("button", { name: "Create account and join" }).click();
      await member.page.getByRole("heading", { level: 1, name: "Grandma's life" }).waitFor();
      await member.page.getByText("you are a contributor").waitFor();
    });
    await member.context.close();

    await step(page, "the owner sees the member joined and sends the next question", async () => {
      await page.reload();
      await page.getByText("Cousin Sam").waitFor();
      await expect(page.getByText("invited, not joined yet").count()).resolves.toBe(0);
      await page.getByRole("link", { name: "Questions" }).click();
      await page.getByRole("button", { name: "Send the next question now" }).click();
      await page.getByText("Question sent.").waitFor();
    });

    const phone = await t.openPage({ viewport: PHONE });
    await step(phone.page, "the storyteller answers through the e-mailed link on a phone", async () => {
      const mail = await t.stack.smtp.waitFor((m) => m.to.includes(storytellerEmail) && m.text.includes("/answer/"), 15_000);
      const link = /https?:\/\/\S+\/answer\/\S+\?token=[A-Za-z0-9_-]+/.exec(mail.text)?.[0];
      expect(link).toBeTruthy();
      await phone.page.goto(link!);
      await phone.page.getByText("For Grandma Rose").waitFor();
      const question = (await phone.page.getByRole("heading", { level: 1 }).textContent()) ?? "";
      expect(mail.subject).toContain(question);
      await fitsAndPassesAxe(phone.page);
      await phone.page.getByLabel("Your answer").fill("We lived by the sea.  Every summer —  we swam at dawn!");
      // Nothing wider than the phone: no sideways scrolling.
      expect(await overflowOf(phone.page)).toBeLessThanOrEqual(0);
      await phone.page.getByRole("button", { name: "Send my story" }).click();
      await phone.page.getByText("Thank you! Your story is saved (11 words).").waitFor();
    });
    await phone.context.close();

    await step(page, "the answer is a story on the owner's dashboard", async () => {
      await page.getByRole("link", { name: "Overview" }).click();
      await page.reload();
      await page.getByText("1 of 12 (8%)").waitFor();
      await page.getByText("Grandma Rose: 1 story, 11 words").waitFor();
      await fitsAndPassesAxe(page);
    });

    await step(page, "Home shows the campaign's progress", async () => {
      await page.goto("/");
      const panel = page.getByRole("region", { name: "Family stories" });
      await panel.getByRole("link", { name: /Grandma's life\s*1 of 12 stories/ }).waitFor();
    });
  });
});
