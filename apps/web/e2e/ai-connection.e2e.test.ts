/**
 * Connecting your own model in a real browser against the real stack (an offline server, so the
 * offline label shows): chat says "Offline AI" with a link to connect a model; Settings → AI model
 * fills the Ollama preset, points it at the local OpenAI-compatible server, tests the connection
 * (a real call, its answer shown), saves; then a chat reply comes from that server, sent with the
 * user's own key, and the offline label is gone.
 */
import { type OpenAiCompatibleServer, startOpenAiCompatibleServer } from "@inkwell/domain/ai/testing";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openBrowser, signUpInBrowser } from "./browser.ts";
import { type Stack, startStack } from "./stack.ts";

let llm: OpenAiCompatibleServer;
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  llm = await startOpenAiCompatibleServer();
  llm.setReply("Hello from your own model");
  // The server itself has no model (offline); users may connect local servers (development).
  stack = await startStack(inject("databaseUrl"), { env: { AI_USER_PRIVATE_ADDRESSES: "true" } });
  ({ browser, context, page } = await openBrowser(stack.baseUrl, { viewport: { width: 1280, height: 860 } }));
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.stop();
  await llm?.stop();
});

const heading = (name: string | RegExp) => page.getByRole("heading", { level: 1, name });
const visible = (locator: Locator) => locator.first().waitFor({ state: "visible" });
const chatCalls = () => llm.requests.filter((r) => r.path === "/v1/chat/completions");

describe("connecting your own model", () => {
  it("from the offline label to a tested, saved connection that the next chat reply uses", async () => {
    await signUpInBrowser(page, { name: "Ada Lovelace", email: `own-model-${Date.now()}@example.test` });

    // Chat says its replies are offline placeholders, with one click to connect a model.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Chat" }).click();
    await visible(heading("New chat"));
    await visible(page.getByText("Offline AI"));
    await page.getByRole("link", { name: "Connect a model" }).click();
    await page.waitForURL(/\/settings#ai-model$/);
    const section = page.locator("#ai-model");
    await visible(section.getByRole("heading", { name: "AI model" }));

    // The Ollama preset fills the local address; here the local server stands in for Ollama.
    await section.getByRole("button", { name: "Ollama (on this computer)" }).click();
    expect(await section.getByLabel("Server address").inputValue()).toBe("http://127.0.0.1:11434/v1");
    await section.getByLabel("Server address").fill(llm.url);
    await section.getByLabel("API key").fill("sk-e2e-own-key");
    await section.getByRole("textbox", { name: /^Model/ }).fill("e2e-model");

    await section.getByRole("button", { name: "Test connection" }).click();
    await visible(section.getByText(/e2e-model answered in \d+ ms: “Hello from your own model”/));
    expect(chatCalls().at(-1)?.headers.authorization).toBe("Bearer sk-e2e-own-key");

    await section.getByRole("button", { name: "Connect", exact: true }).click();
    await visible(section.getByText("Connection saved"));
    // The key is write-only: the field is emptied and only its last four characters come back.
    // (once the saved connection is read back: the form starts again from it)
    await expect.poll(() => section.getByLabel("API key").inputValue()).toBe("");
    await visible(section.getByText("••••-key"));

    // The next chat reply comes from the user's own model, with their key; no offline label any more.
    const before = chatCalls().length;
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Chat" }).click();
    await visible(heading("New chat"));
    const box = page.getByRole("textbox", { name: "Message" });
    await box.fill("Hi there");
    await box.press("Enter");
    await visible(page.getByRole("log", { name: "Messages" }).getByText("Hello from your own model"));
    expect(await page.getByText("Offline AI").count()).toBe(0);
    const calls = chatCalls().slice(before);
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      expect(call.headers.authorization).toBe("Bearer sk-e2e-own-key");
      expect((call.body as { model: string }).model).toBe("e2e-model");
    }
  });
});
