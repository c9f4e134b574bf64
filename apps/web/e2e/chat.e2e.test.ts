import { type OpenAiCompatibleServer, startOpenAiCompatibleServer } from "@inkwell/domain/ai/testing";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openBrowser, STEP_TIMEOUT, signUpInBrowser, stepRunner } from "./browser.ts";
import { type Stack, startStack } from "./stack.ts";

/** ~120 word tokens at 40 ms each: about five seconds of streaming, ending in a recognisable word. */
const WORDS = Array.from({ length: 118 }, (_, i) => `word${i}`).join(" ");
const REPLY = `**Photosynthesis** turns light into sugar. ${WORDS} finale`;
const TOKEN_DELAY_MS = 40;
/** The reply as the page shows it (the markdown's stars rendered as bold). */
const SHOWN = REPLY.replace(/\*\*/g, "");

let llm: OpenAiCompatibleServer;
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  llm = await startOpenAiCompatibleServer();
  llm.setReply(REPLY);
  llm.setTokenDelayMs(TOKEN_DELAY_MS);
  stack = await startStack(inject("databaseUrl"), {
    env: { AI_PROVIDER: "openai", OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: "local", AI_CHAT_MODEL: "local-model" },
  });
  ({ browser, context, page } = await openBrowser(stack.baseUrl, {
    viewport: { width: 1280, height: 860 },
    consoleErrors: true,
  }));
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.stop();
  await llm?.stop();
});

const step = stepRunner(() => page, "chat");

const heading = (name: string | RegExp) => page.getByRole("heading", { level: 1, name });
const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: STEP_TIMEOUT, interval: 50 });
const visible = (locator: Locator) => locator.first().waitFor({ state: "visible" });
const log = () => page.getByRole("log", { name: "Messages" });
const reply = () => log().locator('[data-role="assistant"]').last();
const replyText = async () =>
  (
    (await reply()
      .locator('[data-role="message-body"]')
      .textContent()
      .catch(() => "")) ?? ""
  ).trim();
const replyStatus = () => reply().getAttribute("data-status");

describe("chat in the browser", () => {
  it("streams a reply, resumes it after a reload, and keeps it", async () => {
    const started = performance.now();
    const email = `chat-${Date.now()}@example.test`;

    await step("sign up", async () => {
      await signUpInBrowser(page, { name: "Grace Hopper", email: email });
    });

    await step("open chat: the new-chat state, the assistant choice and the price", async () => {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Chat" }).click();
      await visible(heading("New chat"));
      await visible(page.getByRole("complementary", { name: "Conversations" }).getByText("No conversations yet"));
      await page.locator('label[data-assistant="tutor"]').click();
      expect(await page.getByLabel(/^Tutor/).isChecked()).toBe(true);
      await visible(page.getByText("Costs 2 credits"));
      // The API talks to a model here, so no offline badge.
      expect(await page.getByText("Offline AI").count()).toBe(0);
    });

    let conversationPath = "";
    await step("send a message and watch the reply stream in", async () => {
      const box = page.getByRole("textbox", { name: "Message" });
      await box.fill("Explain photosynthesis");
      await box.press("Enter");
      await page.waitForURL(/\/chat\/[0-9a-f-]{36}$/);
      conversationPath = new URL(page.url()).pathname;
      await visible(log().getByText("Explain photosynthesis"));
      await eventually(replyStatus).toBe("streaming");
      // The text grows over time, observed several times while the reply is still being written.
      const lengths: number[] = [];
      for (let i = 0; i < 4; i++) {
        const before = lengths.at(-1) ?? 0;
        await eventually(async () => (await replyText()).length).toBeGreaterThan(before);
        lengths.push((await replyText()).length);
      }
      expect(await replyStatus()).toBe("streaming");
      expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
      expect(new Set(lengths).size).toBe(lengths.length);
      // Markdown is rendered, not shown raw.
      await visible(reply().locator("strong", { hasText: "Photosynthesis" }));
      await visible(page.getByRole("button", { name: "Stop generating" }));
    });

    await step("reload mid-reply: it picks up from what was saved and finishes", async () => {
      await eventually(async () => (await replyText()).length).toBeGreaterThan(120);
      // The model holds the rest of the reply until the page is back, so the reload lands mid-reply
      // however slow the machine (under load the reply once finished during the reload).
      llm.pause();
      expect(await replyStatus()).toBe("streaming");
      await page.reload();
      await visible(heading(/./));
      await eventually(replyStatus).toBe("streaming");
      const afterReload = (await replyText()).length;
      expect(afterReload).toBeLessThan(SHOWN.length);
      llm.resume();
      await eventually(async () => (await replyText()).length).toBeGreaterThan(afterReload);
      await eventually(replyStatus).toBe("complete");
      const text = await replyText();
      expect(text.startsWith("Photosynthesis turns light into sugar. word0 word1")).toBe(true);
      expect(text.endsWith("word117 finale")).toBe(true);
      // No gap and no repeat where the stream resumed.
      expect(text).toBe(SHOWN);
      await visible(page.getByRole("button", { name: "Copy reply" }));
      await visible(page.getByRole("button", { name: "Regenerate" }));
    });

    await step("reload again: the conversation and the reply are persisted", async () => {
      await page.reload();
      expect(new URL(page.url()).pathname).toBe(conversationPath);
      await visible(log().getByText("Explain photosynthesis"));
      await eventually(replyStatus).toBe("complete");
      expect(await replyText()).toBe(SHOWN);
      const list = page.getByRole("complementary", { name: "Conversations" });
      await visible(list.getByRole("link").filter({ hasText: "Photosynthesis" }));
    });

    console.log(`[e2e] chat journey in ${Math.round(performance.now() - started)} ms`);
  });

  it("stops, regenerates, keeps a draft, renames, searches, starts a new chat with Ctrl+Shift+O and deletes", async () => {
    const started = performance.now();
    const box = page.getByRole("textbox", { name: "Message" });
    const list = page.getByRole("complementary", { name: "Conversations" });

    await step("stop generating keeps what was written, marked stopped", async () => {
      await box.fill("Tell me more");
      await box.press("Enter");
      await visible(log().getByText("Tell me more"));
      await eventually(replyStatus).toBe("streaming");
      await eventually(async () => (await replyText()).length).toBeGreaterThan(20);
      llm.pause(); // stopped mid-reply, not racing its end
      await page.getByRole("button", { name: "Stop generating" }).click();
      await eventually(replyStatus).toBe("stopped");
      llm.resume();
      await visible(reply().getByText("Stopped — the reply was cut short."));
      expect((await replyText()).length).toBeLessThan(SHOWN.length);
    });

    await step("regenerate the stopped reply", async () => {
      llm.setTokenDelayMs(2);
      await reply().getByRole("button", { name: "Regenerate" }).click();
      await eventually(replyStatus).toBe("complete");
      expect(await replyText()).toBe(SHOWN);
      await page.getByRole("button", { name: "Good reply" }).last().click();
      await eventually(() => page.getByRole("button", { name: "Good reply" }).last().getAttribute("aria-pressed")).toBe("true");
    });

    await step("the unsent draft is saved and comes back after a reload", async () => {
      await box.fill("half a thought");
      await visible(page.getByText("Draft saved"));
      await page.reload();
      await eventually(() => page.getByRole("textbox", { name: "Message" }).inputValue()).toBe("half a thought");
    });

    await step("rename the conversation", async () => {
      await list
        .getByRole("button", { name: /^Rename / })
        .first()
        .click();
      const input = list.getByRole("textbox", { name: /^New title for/ });
      await input.fill("Plants and light");
      await input.press("Enter");
      await visible(heading("Plants and light"));
      await visible(list.getByRole("link", { name: /Plants and light/ }));
    });

    await step("search titles and message text", async () => {
      const search = page.getByRole("searchbox", { name: "Search conversations" });
      await search.fill("word117");
      await visible(list.getByRole("link", { name: /Plants and light/ }));
      await search.fill("no such words anywhere");
      await visible(list.getByText(/No conversations match/));
      await search.fill("");
      await visible(list.getByRole("link", { name: /Plants and light/ }));
    });

    await step("Ctrl+Shift+O starts a new chat; Ctrl+K stays the command palette", async () => {
      await visible(heading("Plants and light"));
      await page.keyboard.press("Control+Shift+O");
      await visible(heading("New chat"));
      await eventually(() => box.evaluate((el) => el === document.activeElement)).toBe(true);
      await page.keyboard.press("Control+k");
      const palette = page.getByRole("dialog", { name: "Go to a page" });
      await visible(palette);
      await page.keyboard.press("Escape");
      await eventually(() => palette.count()).toBe(0);
    });

    await step("delete the conversation after confirming", async () => {
      await list.getByRole("link", { name: /Plants and light/ }).click();
      await visible(heading("Plants and light"));
      await list.getByRole("button", { name: "Delete Plants and light" }).click();
      // The confirmation is a dialog (outside the list).
      await page.getByRole("alertdialog", { name: "Delete “Plants and light”?" }).getByRole("button", { name: "Delete" }).click();
      await visible(heading("New chat"));
      await visible(list.getByText("No conversations yet"));
    });

    console.log(`[e2e] chat actions in ${Math.round(performance.now() - started)} ms`);
  });
});
