import { type ChatBody, type OpenAiCompatibleServer, startOpenAiCompatibleServer } from "@inkwell/domain/ai/testing";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openBrowser, STEP_TIMEOUT, signUpInBrowser, stepRunner } from "./browser.ts";
import { goTo } from "./shell-nav.ts";
import { type Stack, startStack } from "./stack.ts";

/** Enough words to watch both outputs grow for a couple of seconds at TOKEN_DELAY_MS a word. */
const filler = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${tag}${i}`).join(" ");
const LINKEDIN = `We stopped doing sprint demos. Nobody missed them. ${filler("li", 50)} What would you replace yours with?`;
const LINKEDIN_SHORTER = "We stopped doing sprint demos. Written updates won.";
const THREAD = [
  `1/3 We stopped doing sprint demos. ${filler("xa", 12)}`,
  `2/3 Written updates replaced them. ${filler("xb", 12)}`,
  `3/3 Try it for a month. ${filler("xc", 8)}`,
].join("\n\n");
const THREAD_SHORTER = "1/2 No more sprint demos.\n\n2/2 Written updates won.";
// Slow enough that three growth samples of both cards fit in the stream on a loaded 2-core machine.
const TOKEN_DELAY_MS = 80;

const textOf = (content: ChatBody["messages"][number]["content"]) =>
  typeof content === "string" ? content : (content ?? []).map((p) => (p.type === "text" ? p.text : "")).join(" ");

const THREADS_POST = "Sprint demos are gone and nobody misses them. Here is what we do instead.";
/** The next Threads post comes back empty (the writer marks that output failed). */
let emptyThreadsPosts = 0;

/** What the local model answers: the format's text (shorter once asked to be), anything else a title. */
function reply(body: ChatBody): string {
  const prompt = body.messages.map((m) => textOf(m.content)).join("\n");
  const shorter = /shorter/i.test(prompt);
  if (/post for Threads/i.test(prompt)) {
    if (emptyThreadsPosts > 0) {
      emptyThreadsPosts--;
      return "";
    }
    return THREADS_POST;
  }
  if (/Write an X thread/i.test(prompt)) return shorter ? THREAD_SHORTER : THREAD;
  if (/Write a LinkedIn post/i.test(prompt)) return shorter ? LINKEDIN_SHORTER : LINKEDIN;
  return "Sprint demos, replaced";
}

let llm: OpenAiCompatibleServer;
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const email = `writer-${Date.now()}@example.test`;

beforeAll(async () => {
  llm = await startOpenAiCompatibleServer();
  llm.setReply(reply);
  llm.setTokenDelayMs(TOKEN_DELAY_MS);
  stack = await startStack(inject("databaseUrl"), {
    env: { AI_PROVIDER: "openai", OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: "local", AI_CHAT_MODEL: "local-model" },
  });
  ({ browser, context, page } = await openBrowser(stack.baseUrl, {
    viewport: { width: 1400, height: 900 },
    consoleErrors: true,
  }));
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.baseUrl });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.stop();
  await llm?.stop();
});

const step = stepRunner(() => page, "writer");

const heading = (name: string | RegExp) => page.getByRole("heading", { level: 1, name });
const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: STEP_TIMEOUT, interval: 50 });
const visible = (locator: Locator) => locator.first().waitFor({ state: "visible" });

describe("the writer in the browser", () => {
  it("adds a knowledge entry, sees it indexed and finds it by search", async () => {
    const started = performance.now();

    await step("sign up", async () => {
      await signUpInBrowser(page, { name: "Ada Lovelace", email: email });
    });

    await step("add a knowledge entry and watch it get indexed", async () => {
      await goTo(page, "Write", "Knowledge");
      await visible(heading("Knowledge"));
      await visible(page.getByText("No entries yet"));
      await page.getByRole("button", { name: "Add an entry" }).click();
      const form = page.getByRole("form", { name: "New entry" });
      await form.getByLabel("Title").fill("My audience");
      await form.getByLabel("Category").selectOption("audience");
      await form.getByLabel("Content").fill("I write for early-stage SaaS founders who sell to engineering teams.");
      await form.getByRole("button", { name: "Add entry" }).click();
      const entries = page.getByRole("list", { name: "Knowledge entries" });
      const entry = entries.getByRole("listitem").filter({ hasText: "My audience" });
      await visible(entry);
      // Pending until the worker embeds it; the list polls and shows it searchable.
      await eventually(() => entry.locator("[data-status]").getAttribute("data-status")).toBe("ready");
      await visible(entry.getByText("Searchable"));
    });

    await step("live search finds it and says why", async () => {
      await page.getByRole("searchbox", { name: "Search your knowledge" }).fill("saas founders");
      const results = page.getByRole("list", { name: "Entries matching saas founders" });
      await visible(results.getByText("My audience"));
      await visible(results.getByText("Best match for your words"));
    });

    await step("edit an entry in place: it is indexed again and found by its new words", async () => {
      const entry = page
        .getByRole("list", { name: "Knowledge entries" })
        .getByRole("listitem")
        .filter({ hasText: "My audience" });
      await entry.getByRole("button", { name: "Edit My audience" }).click();
      const form = page.getByRole("form", { name: "Edit My audience" });
      await form
        .getByLabel("Content")
        .fill("I write for early-stage SaaS founders who sell to engineering teams and hate sprint demos.");
      await form.getByRole("button", { name: "Save changes" }).click();
      await visible(entry.getByText("hate sprint demos"));
      await eventually(() => entry.locator("[data-status]").getAttribute("data-status")).toBe("ready");
      await page.getByRole("searchbox", { name: "Search your knowledge" }).fill("hate");
      await visible(page.getByRole("list", { name: "Entries matching hate" }).getByText("My audience"));
    });

    await step("add a second entry and delete it after confirming", async () => {
      await page.getByRole("button", { name: "Add an entry" }).click();
      const form = page.getByRole("form", { name: "New entry" });
      await form.getByLabel("Title").fill("Old bio");
      await form.getByLabel("Content").fill("Something I no longer want the writer to use.");
      await form.getByRole("button", { name: "Add entry" }).click();
      const entries = page.getByRole("list", { name: "Knowledge entries" });
      await visible(entries.getByText("Old bio"));
      await entries.getByRole("button", { name: "Delete Old bio" }).click();
      await page.getByRole("alertdialog", { name: "Delete “Old bio”?" }).getByRole("button", { name: "Delete" }).click();
      await visible(page.getByText("Deleted “Old bio”."));
      await eventually(() => entries.getByRole("listitem").count()).toBe(1);
    });

    console.log(`[e2e] writer knowledge in ${Math.round(performance.now() - started)} ms`);
  });

  it("generates a LinkedIn post and an X thread that stream in side by side, iterates once and restores the first version", async () => {
    const started = performance.now();
    const outputs = page.getByRole("region", { name: "Outputs" });
    const card = (format: string) => outputs.locator(`article[data-format="${format}"]`);
    const cardStatus = (format: string) => card(format).getAttribute("data-status");
    const cardText = async (format: string) =>
      (
        (await card(format)
          .locator('[data-role="output-text"]')
          .textContent()
          .catch(() => "")) ?? ""
      ).trim();

    await step("open the writer: concept, formats with their limits, style and the price", async () => {
      await goTo(page, "Write", "Writer");
      await visible(heading("Writer"));
      expect(await page.getByRole("checkbox", { name: /LinkedIn post/ }).isChecked()).toBe(true);
      expect(await page.getByRole("checkbox", { name: /X thread/ }).isChecked()).toBe(true);
      expect(await page.getByRole("checkbox", { name: /Newsletter/ }).isChecked()).toBe(false);
      // Two formats at 10 credits each.
      await visible(page.getByText("Costs 20 credits"));
      await page.getByRole("radio", { name: "Punchy" }).check();
      await page
        .getByRole("textbox", { name: "Concept" })
        .fill("Why we stopped doing sprint demos for our SaaS founders audience");
    });

    await step("generate: both outputs stream in side by side", async () => {
      await page.getByRole("button", { name: "Generate" }).click();
      await page.waitForURL(/\/writer\/[0-9a-f-]{36}$/);
      await eventually(() => cardStatus("linkedin_post")).toBe("streaming");
      await eventually(() => cardStatus("x_thread")).toBe("streaming");
      // Side by side: the two cards share a row.
      const [a, b] = await Promise.all([card("linkedin_post").boundingBox(), card("x_thread").boundingBox()]);
      expect(a && b && Math.abs(a.y - b.y) < 2 && a.x < b.x).toBe(true);
      // Each grows over time while still being written.
      // Both cards are sampled at once: one after the other, the second could finish before its turn.
      await Promise.all(
        ["linkedin_post", "x_thread"].map(async (format) => {
          const lengths: number[] = [];
          for (let i = 0; i < 3; i++) {
            const before = lengths.at(-1) ?? 0;
            await eventually(async () => (await cardText(format)).length).toBeGreaterThan(before);
            lengths.push((await cardText(format)).length);
          }
          expect(new Set(lengths).size).toBe(3);
        }),
      );
      expect(await cardStatus("linkedin_post")).toBe("streaming");
    });

    await step("both settle: the post within LinkedIn's limit, the thread as numbered posts within X's", async () => {
      await eventually(() => cardStatus("linkedin_post")).toBe("ready");
      await eventually(() => cardStatus("x_thread")).toBe("ready");
      expect(await cardText("linkedin_post")).toBe(LINKEDIN);
      await visible(card("linkedin_post").getByText(`${LINKEDIN.length} / 3,000 characters`));
      const posts = card("x_thread").getByRole("list", { name: "Thread posts" }).getByRole("listitem");
      expect(await posts.count()).toBe(3);
      await visible(posts.nth(0).getByText("We stopped doing sprint demos."));
      await visible(posts.nth(2).getByText("3/3"));
      await visible(card("x_thread").getByText(/^3 posts · longest \d+ \/ 280$/));
      // One post at a time to the clipboard, for posting by hand.
      await card("x_thread").getByRole("button", { name: "Copy post 2/3" }).click();
      await visible(card("x_thread").getByText("Post 2/3 copied to the clipboard."));
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(THREAD.split("\n\n")[1]);
      // The knowledge entry added before was used, and the session has a title in the list.
      await visible(page.getByRole("list", { name: "Knowledge entries used" }).getByText("My audience"));
      await visible(page.getByRole("complementary", { name: "Writer sessions" }).getByRole("link"));
    });

    await step("iterate once: “shorter” makes a second version of both", async () => {
      const box = page.getByRole("textbox", { name: "What should change?" });
      await box.fill("Make it shorter");
      await box.press("Enter");
      await eventually(() => cardText("linkedin_post")).toBe(LINKEDIN_SHORTER);
      await eventually(() => cardStatus("x_thread")).toBe("ready");
      await eventually(() => card("x_thread").getByRole("list", { name: "Thread posts" }).getByRole("listitem").count()).toBe(2);
      await visible(card("linkedin_post").getByText("v2"));
      await visible(page.getByRole("log", { name: "Revisions so far" }).getByText("Make it shorter"));
    });

    await step("restore the first version of the LinkedIn post from its versions", async () => {
      await card("linkedin_post")
        .getByRole("button", { name: /^Versions \(2\)/ })
        .click();
      const versions = card("linkedin_post").getByRole("list", { name: "Versions, newest first" });
      await visible(versions.getByText("Revised: “Make it shorter”"));
      await versions.getByRole("button", { name: "Restore version 1" }).click();
      await visible(card("linkedin_post").getByText("Version 1 restored as the current text."));
      await eventually(() => cardText("linkedin_post")).toBe(LINKEDIN);
      await visible(versions.getByText("Restored version 1"));
      expect(await versions.getByRole("listitem").count()).toBe(3);
      // The thread keeps its revision.
      expect(await card("x_thread").getByRole("list", { name: "Thread posts" }).getByRole("listitem").count()).toBe(2);
    });

    await step("reload: the restored text and the history are kept", async () => {
      await page.reload();
      await eventually(() => cardText("linkedin_post")).toBe(LINKEDIN);
      await visible(card("linkedin_post").getByText("v3"));
    });

    await step("Schedule hands the thread to the publishing composer, prefilled", async () => {
      await card("x_thread")
        .getByRole("link", { name: /^Schedule/ })
        .click();
      await page.waitForURL(/\/publishing\/compose\?writerOutput=[0-9a-f-]{36}$/);
      await visible(heading("Compose"));
      const texts = () =>
        page.locator("textarea").evaluateAll((els) => els.map((el) => (el as HTMLTextAreaElement).value).join("\n"));
      await eventually(texts).toContain("No more sprint demos.");
      await eventually(texts).toContain("Written updates won.");
      await page.goBack();
      await visible(card("x_thread"));
    });

    await step("pin the session as a project and find it by tag", async () => {
      await page.getByRole("button", { name: "Pin as project" }).click();
      const form = page.getByRole("form", { name: "Pin as project" });
      await form.getByLabel("Project name").fill("Demo-free sprints");
      await form.getByLabel(/^Tags/).fill("process, Launch");
      await form.getByRole("button", { name: "Pin", exact: true }).click();
      await page.getByRole("link", { name: "Pinned as a project" }).click();
      await visible(heading("Projects"));
      const list = page.getByRole("list", { name: "Projects" });
      await visible(list.getByRole("link", { name: "Demo-free sprints" }));
      await page.getByRole("radio", { name: "launch" }).check();
      await visible(page.getByRole("list", { name: "Projects tagged launch" }).getByText("Demo-free sprints"));
      await page.getByRole("link", { name: "Demo-free sprints", exact: true }).click();
      await visible(card("linkedin_post"));
    });

    console.log(`[e2e] writer journey in ${Math.round(performance.now() - started)} ms`);
  });

  it("picks a generation up after a reload mid-stream and finishes it", async () => {
    const outputs = page.getByRole("region", { name: "Outputs" });
    const card = outputs.locator('article[data-format="linkedin_post"]');
    const text = async () =>
      (
        (await card
          .locator('[data-role="output-text"]')
          .textContent()
          .catch(() => "")) ?? ""
      ).trim();

    await step("generate a LinkedIn post slowly and reload while it is being written", async () => {
      llm.setTokenDelayMs(60);
      await page.getByRole("button", { name: "New piece" }).click();
      await visible(heading("Writer"));
      await page.getByRole("textbox", { name: "Concept" }).fill("Sprint demos: what we do instead");
      await page.getByRole("checkbox", { name: /X thread/ }).uncheck();
      await page.getByRole("button", { name: "Generate" }).click();
      await page.waitForURL(/\/writer\/[0-9a-f-]{36}$/);
      await eventually(async () => (await text()).length).toBeGreaterThan(80);
      // The model holds the rest until the page is back, so the reload lands mid-stream on any machine.
      llm.pause();
      expect(await card.getAttribute("data-status")).toBe("streaming");
      await page.reload();
      // What was saved so far shows at once, and the rest streams in.
      await eventually(() => card.getAttribute("data-status")).toBe("streaming");
      const afterReload = (await text()).length;
      expect(afterReload).toBeLessThan(LINKEDIN.length);
      llm.resume();
      await eventually(async () => (await text()).length).toBeGreaterThan(afterReload);
      await eventually(() => card.getAttribute("data-status")).toBe("ready");
      expect(await text()).toBe(LINKEDIN);
      llm.setTokenDelayMs(TOKEN_DELAY_MS);
    });
  });

  it("shows why a format could not be written and writes it again on request", async () => {
    const outputs = page.getByRole("region", { name: "Outputs" });
    const card = (format: string) => outputs.locator(`article[data-format="${format}"]`);

    await step("a new piece whose Threads post comes back empty", async () => {
      emptyThreadsPosts = 1;
      await page.getByRole("button", { name: "New piece" }).click();
      await visible(heading("Writer"));
      await page.getByRole("textbox", { name: "Concept" }).fill("What replaced our sprint demos");
      await page.getByRole("checkbox", { name: /X thread/ }).uncheck();
      await page.getByRole("checkbox", { name: /Threads post/ }).check();
      await visible(page.getByText("Costs 20 credits"));
      await page.getByRole("button", { name: "Generate" }).click();
      await page.waitForURL(/\/writer\/[0-9a-f-]{36}$/);
      await eventually(() => card("threads_post").getAttribute("data-status")).toBe("failed");
      await visible(card("threads_post").getByText("The model returned no text. Try again."));
      await eventually(() => card("linkedin_post").getAttribute("data-status")).toBe("ready");
    });

    await step("try again writes it", async () => {
      await card("threads_post")
        .getByRole("button", { name: /^Try again/ })
        .click();
      await eventually(() => card("threads_post").getAttribute("data-status")).toBe("ready");
      await visible(card("threads_post").getByText(THREADS_POST));
      await visible(card("threads_post").getByText(`${THREADS_POST.length} / 500 characters`));
    });
  });

  it("refuses a generation the balance cannot pay for, saying what it needs, and keeps the concept", async () => {
    await step("spend all but a few credits elsewhere", async () => {
      // The balance as the API has it now (the header's chip may be a moment behind).
      const available = await page.evaluate(async () => {
        const response = await fetch("/trpc/credits.balance");
        return ((await response.json()) as { result: { data: { available: number } } }).result.data.available;
      });
      expect(available).toBeGreaterThan(20);
      // Metered exactly as a Generate button's procedure meters it: leaves fewer than 10 credits.
      await stack.generate(email, { operation: "writer.generate", quantity: Math.floor(available / 10) });
    });

    await step("Generate shows the shortfall instead of a session", async () => {
      await page.getByRole("button", { name: "New piece" }).click();
      await visible(heading("Writer"));
      await page.getByRole("textbox", { name: "Concept" }).fill("A concept I cannot afford right now");
      await page.getByRole("button", { name: "Generate" }).click();
      await visible(page.getByText("Not enough credits"));
      await visible(page.getByText(/This needs 20 credits and you have \d available/));
      await visible(page.getByRole("link", { name: "See your credits" }));
      expect(new URL(page.url()).pathname).toBe("/writer");
      expect(await page.getByRole("textbox", { name: "Concept" }).inputValue()).toBe("A concept I cannot afford right now");
    });
  });
});
