// TEMPORARY (stream D, not committed): axe and screenshots of the shared list, dialog, popover, toasts with data.
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { axeViolations, describeFindings } from "./axe.ts";
import { type BrowserSession, openBrowser, signUpInBrowser } from "./browser.ts";
import { type Stack, startStack } from "./stack.ts";

let stack: Stack;
let s: BrowserSession;
const dir = "/tmp/streamD/shots2";
beforeAll(async () => {
  stack = await startStack(inject("databaseUrl"));
  s = await openBrowser(stack.baseUrl, { consoleErrors: true });
});
afterAll(async () => {
  await s?.close();
  await stack?.stop();
});

it("lists, dialog, popover with data pass axe", { timeout: 300_000 }, async () => {
  const { page } = s;
  const email = `d-${Date.now()}@example.test`;
  await signUpInBrowser(page, { name: "Dee Tester", email });
  const all: string[] = [];
  const check = async (name: string) => {
    const f = await axeViolations(page);
    if (f.length) all.push(`${name}: ${describeFindings(f)}`);
    await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
  };
  // knowledge with two entries
  await page.goto("/knowledge");
  for (const title of ["My audience", "A rather long entry title that goes on and on to test wrapping"]) {
    await page.getByRole("button", { name: "Add an entry" }).click();
    const form = page.getByRole("form", { name: "New entry" });
    await form.getByLabel("Title").fill(title);
    await form.getByLabel("Content").fill("I write for early-stage SaaS founders who sell to engineering teams. ".repeat(5));
    await form.getByRole("button", { name: "Add entry" }).click();
    await page.getByRole("list", { name: "Knowledge entries" }).getByText(title).first().waitFor();
  }
  await page.waitForTimeout(500);
  await check("knowledge-1280");
  await page.getByRole("button", { name: "Delete My audience" }).click();
  await page.getByRole("alertdialog").waitFor();
  await check("knowledge-confirm-1280");
  await page.keyboard.press("Escape");
  await page.setViewportSize({ width: 390, height: 844 });
  await check("knowledge-390");
  await page.getByRole("button", { name: "Delete My audience" }).click();
  await page.getByRole("alertdialog").waitFor();
  await check("knowledge-confirm-390");
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click();
  await page.getByText("Deleted “My audience”.").first().waitFor();
  await check("knowledge-toast-390");
  await page.setViewportSize({ width: 1280, height: 900 });
  // chat with a conversation (offline AI)
  await page.goto("/chat");
  await page.getByRole("textbox", { name: "Message" }).fill("Explain photosynthesis briefly");
  await page.keyboard.press("Enter");
  await page.getByRole("complementary", { name: "Conversations" }).getByRole("link").first().waitFor();
  await page.waitForTimeout(3000);
  await page.getByRole("complementary", { name: "Conversations" }).getByRole("link").first().hover();
  await check("chat-1280");
  await page.getByRole("complementary", { name: "Conversations" }).getByRole("button", { name: /^Rename / }).click();
  await check("chat-rename-1280");
  await page.keyboard.press("Escape");
  // bell
  await stack.generate(email, { operation: "writer.generate", quantity: 500, topic: "x" });
  await page.goto("/");
  await page.getByRole("banner").getByRole("button", { name: /^Notifications/ }).click();
  await page.getByRole("dialog", { name: "Notifications" }).waitFor();
  await check("bell-1280");
  await page.keyboard.press("Escape");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole("banner").getByRole("button", { name: /^Notifications/ }).click();
  await page.getByRole("dialog", { name: "Notifications" }).waitFor();
  await check("bell-390");
  await page.goto("/chat");
  await page.waitForTimeout(1000);
  await check("chat-390");
  expect(all.join("\n")).toBe("");
});
