/**
 * Model personas in a real browser against the real stack and the local TTS sandbox, at phone width
 * (390 px): create a persona, give it a voice and settings, preview the voice (a playable audio with a
 * duration, labelled as the sandbox's placeholder), and see it in the list.
 *
 * Set E2E_SCREENSHOTS=1 to keep a screenshot of every step in apps/web/test-results/.
 */
import { startTtsSandbox, type TtsSandbox } from "@inkwell/domain/studio/testing";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  fitsAndPassesAxe,
  overflowOf,
  PHONE,
  resultsDir,
  signUpInBrowser,
  stepRunner,
  uniqueEmail,
  useBrowserStack,
} from "./browser.ts";

let tts: TtsSandbox;
beforeAll(async () => {
  tts = await startTtsSandbox({ keys: ["e2e-tts-key"] });
});
const t = useBrowserStack({
  stack: () => ({ env: { TTS_API_URL: tts.url, TTS_API_KEY: "e2e-tts-key" } }),
  afterStop: async () => tts?.stop(),
});

let page: Page;
const step = stepRunner(() => page, "studio-personas", 120_000);

describe("personas in the browser", () => {
  it("creates a persona, gives it a voice, previews it and lists it, on a phone", async () => {
    ({ page } = await t.openPage({ viewport: PHONE }));

    await step("sign up and open Studio → Personas", async () => {
      await signUpInBrowser(page, { name: "Ada", email: uniqueEmail("pa") });
      await page.goto("/studio/personas");
      await page.getByRole("heading", { level: 1, name: "Personas" }).waitFor();
      await page.getByText("No personas yet").waitFor();
    });

    await step("create one; its page opens", async () => {
      await page.getByLabel("Name").fill("Mia");
      await page.getByLabel("Description (optional)").fill("Beach lifestyle, morning light");
      await page.getByRole("button", { name: "Create persona" }).click();
      await page.getByRole("heading", { level: 1, name: "Mia" }).waitFor();
      expect(new URL(page.url()).pathname).toMatch(/^\/studio\/personas\/[0-9a-f-]{36}$/);
    });

    await step("choose a voice and settings; preview it: audio plays, labelled as the sandbox's", async () => {
      const voice = page.getByRole("combobox", { name: "Voice", exact: true });
      await expect.poll(() => voice.locator("option").count()).toBeGreaterThan(2);
      await voice.selectOption("sandbox-bella");
      await page.locator('[data-role="tts-sandbox-label"]').first().waitFor();
      await page.getByLabel("Stability").fill("0.3");
      await page.getByLabel("Preview text (optional)").fill("Good morning from the beach, everyone.");
      await page.getByRole("button", { name: "Preview voice" }).click();
      const audio = page.locator('[data-role="voice-audio"]');
      await audio.waitFor();
      const duration = await audio.evaluate(
        (el: HTMLAudioElement) =>
          new Promise<number>((resolve, reject) => {
            if (el.readyState >= 1) return resolve(el.duration);
            el.addEventListener("loadedmetadata", () => resolve(el.duration), { once: true });
            el.addEventListener("error", () => reject(new Error("audio did not load")), { once: true });
          }),
      );
      expect(duration).toBeGreaterThan(1.5);
      const spoken = tts.requests.filter((r) => r.method === "POST").at(-1);
      expect(spoken?.body?.text).toBe("Good morning from the beach, everyone.");
      expect(spoken?.body?.voice_settings?.stability).toBeCloseTo(0.3);
      await page.screenshot({ path: `${resultsDir}/studio-persona-390.png`, fullPage: true });
      await fitsAndPassesAxe(page);
    });

    await step("the list shows it with its voice", async () => {
      await page.getByRole("link", { name: "All personas" }).click();
      const card = page.locator('[data-role="persona-card"]').filter({ hasText: "Mia" });
      await card.getByText("Voice: sandbox-bella").waitFor();
      await card.getByText("Active").waitFor();
      expect(await overflowOf(page)).toBeLessThanOrEqual(0);
    });

    await step("a writer output read aloud in Mia's voice: plays, labelled the sandbox's, on a phone", async () => {
      await page.goto("/writer");
      await page.getByRole("textbox", { name: "Concept" }).fill("Why small bakeries should post every morning");
      await page.getByRole("button", { name: "Generate" }).click();
      await page.waitForURL(/\/writer\/[0-9a-f-]{36}$/);
      const output = page.getByRole("region", { name: "Outputs" }).locator("article").first();
      await expect.poll(() => output.getAttribute("data-status"), { timeout: 60_000 }).toBe("ready");
      await output.getByRole("button", { name: /^Read aloud/ }).click();
      const panel = output.locator('[data-role="read-aloud"]');
      expect(await panel.getByRole("combobox", { name: "Voice of" }).inputValue()).toMatch(/^[0-9a-f-]{36}$/);
      const requests = tts.requests.length;
      await panel.getByRole("button", { name: "Read" }).click();
      await panel.locator('[data-role="voice-audio"]').waitFor();
      await panel.locator('[data-role="tts-sandbox-label"]').waitFor();
      const spoken = tts.requests.slice(requests).find((r) => r.method === "POST");
      expect(spoken?.path).toBe("/v1/text-to-speech/sandbox-bella");
      expect(spoken?.body?.text?.length).toBeGreaterThan(50);
      await fitsAndPassesAxe(page);
    });

    await step("an ElevenLabs key saved from the persona page: back on it, the preview costs 0", async () => {
      await page.goto("/studio/personas");
      await page.getByRole("link", { name: "Mia" }).click();
      await page.getByRole("heading", { level: 1, name: "Mia" }).waitFor();
      await page.getByText("Costs 3 credits").waitFor();
      // In the app (no reload): what the page knew about the user's keys must not outlive the save.
      await page
        .locator('[data-role="tts-sandbox-label"]')
        .first()
        .getByRole("link", { name: /API keys/ })
        .click();
      const keyForm = page.getByRole("form", { name: "Add or replace a key" });
      await keyForm.getByRole("combobox", { name: "Service" }).selectOption("elevenlabs");
      await keyForm.getByLabel("API key").fill("e2e-tts-key");
      await keyForm.getByRole("button", { name: "Save key" }).click();
      await page.getByText("ElevenLabs key saved.").waitFor();
      await page.goBack();
      await page.getByRole("heading", { level: 1, name: "Mia" }).waitFor();
      await page.getByText("0 credits — your model").waitFor({ timeout: 10_000 });
    });
  });
});
