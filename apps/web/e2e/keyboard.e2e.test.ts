/**
 * The main flows with the keyboard alone, as someone who cannot use a mouse does them: sign up,
 * connect a publishing account, compose a post and schedule it — Tab to reach each control (`tabTo`
 * fails when one cannot be reached), typing, Space and Enter, and Ctrl+K to move between pages.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium, openPage, paletteTo, tabTo } from "./browser.ts";
import { type Stack, startStack } from "./stack.ts";

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack(inject("databaseUrl"));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("the keyboard alone", () => {
  it("signs up, connects an account, composes and schedules a post", async () => {
    const { context: keyboardContext, page: kb } = await openPage(browser, stack.baseUrl);
    try {
      const text = `Typed, not clicked ${Date.now().toString(36)}`;
      const xAccount = stack.sandbox.defaultAccount("x");

      await kb.goto("/sign-up");
      await tabTo(kb, kb.getByLabel("Display name"));
      await kb.keyboard.type("Kay Board");
      await tabTo(kb, kb.getByLabel("E-mail"));
      await kb.keyboard.type(`keyboard-${Date.now()}@example.test`);
      await tabTo(kb, kb.getByLabel("Password", { exact: true }));
      await kb.keyboard.type("correct horse battery staple");
      await kb.keyboard.press("Enter");
      await kb.getByRole("heading", { level: 1, name: "Welcome, Kay Board" }).waitFor();

      await paletteTo(kb, "Connections", "Connections");
      await tabTo(kb, kb.getByRole("button", { name: "Connect X" }));
      await kb.keyboard.press("Enter");
      await kb.waitForURL(/\/publishing\/connections\?connected=/);
      await kb.getByRole("listitem", { name: `${xAccount.displayName} on X` }).waitFor();

      await paletteTo(kb, "Compose a post", "Compose");
      await tabTo(kb, kb.getByRole("checkbox", { name: `${xAccount.displayName} on X` }));
      await kb.keyboard.press("Space");
      await tabTo(kb, kb.getByRole("textbox", { name: /^Post 1/ }));
      await kb.keyboard.type(text);
      // The suggested time (the next free slot ahead) is kept; the Schedule button is reached and pressed.
      await tabTo(kb, kb.getByRole("button", { name: "Schedule", exact: true }), 80);
      await kb.keyboard.press("Enter");
      await kb.waitForURL(/\/publishing\?saved=scheduled$/);
      const post = kb.getByRole("list", { name: "Queue" }).getByRole("listitem").filter({ hasText: text });
      await post.waitFor();
      expect(await post.getAttribute("data-status")).toBe("pending");
    } finally {
      await keyboardContext.close();
    }
  });
});
