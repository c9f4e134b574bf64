import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { signUpInBrowser, stepRunner, uniqueEmail, useBrowserStack } from "./browser.ts";
import { goTo } from "./shell-nav.ts";

const t = useBrowserStack();
let page: Page;

beforeAll(async () => {
  ({ page } = await t.openPage({ viewport: { width: 1300, height: 900 } }));
});

const step = stepRunner(() => page, "voice", 170_000);

const visible = (locator: Locator) => locator.first().waitFor({ state: "visible" });

const SAMPLE = `Here's the thing about shipping: nobody waits for perfect. I ship small, I ship often, and I learn fast!
Do you really need another meeting? Probably not. Write it down, send it, move on.
Here's what I tell every new founder: your first version will embarrass you. That's the point.`;

describe("the voice page in the browser", () => {
  it("trains a voice from samples, tunes it, bans a phrase and keeps it all", async () => {
    const email = uniqueEmail("voice");

    await step("sign up and open the voice page", async () => {
      await signUpInBrowser(page, { name: "Ada Lovelace", email: email });
      await goTo(page, "Write", "Voice");
      await visible(page.getByRole("heading", { level: 1, name: "Voice" }));
      await visible(page.getByText("No voices yet."));
    });

    await step("create a voice: it is the default and has no samples", async () => {
      await page.getByLabel("New voice").fill("Founder me");
      await page.getByRole("button", { name: "Create" }).click();
      await visible(page.getByRole("button", { name: /Founder me\s*Default/ }));
      await visible(page.getByRole("status").filter({ hasText: "No samples yet" }));
      await expect.poll(() => page.getByLabel("Default voice for new generations").isChecked()).toBe(true);
    });

    await step("paste a sample and watch the analysis finish", async () => {
      await page.getByLabel("Paste a sample").fill(SAMPLE);
      await page.getByRole("button", { name: "Add sample" }).click();
      await visible(page.getByText("Pasted text"));
      // Polled while pending; the worker measures it and writes the (offline) description.
      await visible(page.getByRole("status").filter({ hasText: "Analysed" }));
      await visible(page.getByText(/^Sentences average \d+ words/));
      await visible(page.getByRole("row", { name: /Exclamation marks/ }));
      await visible(page.getByText(/Based on only \d+ words/));
    });

    await step("upload a .md sample; a picture is refused in the browser", async () => {
      const upload = page.getByLabel("Upload .txt or .md");
      await upload.setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: Buffer.from("png?") });
      await visible(page.getByRole("alert").filter({ hasText: "photo.png: upload a .txt or .md file." }));
      await upload.setInputFiles({
        name: "newsletter.md",
        mimeType: "text/markdown",
        buffer: Buffer.from("# This week\n\nShort lines. Plain words. No fluff, ever. You'll like it."),
      });
      await visible(page.getByText("newsletter.md"));
      await visible(page.getByText("2 / 20", { exact: false }));
      await visible(page.getByRole("status").filter({ hasText: "Analysed" }));
      await visible(page.getByText(/in 2 samples/));
    });

    await step("tune two sliders with the keyboard and ban a phrase", async () => {
      const length = page.getByRole("slider", { name: "Sentence length" });
      await length.focus();
      for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowLeft");
      expect(await length.inputValue()).toBe("2");
      const emoji = page.getByRole("slider", { name: "Emoji" });
      await emoji.focus();
      await page.keyboard.press("End");
      expect(await emoji.inputValue()).toBe("10");
      await page.getByLabel("Phrases to ban, one per line").fill("game changer");
      await page.getByRole("button", { name: "Add", exact: true }).click();
      await visible(page.getByRole("list", { name: "Banned phrases" }).getByText("game changer"));
      await page.getByRole("button", { name: "Save tuning and phrases" }).click();
      await visible(page.getByText("Saved. New generations in this voice use it."));
    });

    await step("everything is still there after a reload", async () => {
      await page.reload();
      await visible(page.getByRole("heading", { level: 1, name: "Voice" }));
      await expect.poll(() => page.getByRole("slider", { name: "Sentence length" }).inputValue()).toBe("2");
      expect(await page.getByRole("slider", { name: "Emoji" }).inputValue()).toBe("10");
      await visible(page.getByRole("list", { name: "Banned phrases" }).getByText("game changer"));
      await visible(page.getByText("newsletter.md"));
    });

    await step("a second voice becomes the default", async () => {
      await page.getByLabel("New voice").fill("Formal me");
      await page.getByRole("button", { name: "Create" }).click();
      await visible(page.getByRole("heading", { level: 2, name: "Fingerprint" }));
      await expect.poll(() => page.getByLabel("Name", { exact: true }).inputValue()).toBe("Formal me");
      // A click, then the outcome: the box is controlled by the saved state, so it flips once the
      // change is under way (check() would demand the flip within the click itself).
      const makeDefault = page.getByLabel("Default voice for new generations");
      await makeDefault.click();
      await expect.poll(() => makeDefault.isChecked()).toBe(true);
      await visible(page.getByText("“Formal me” is now your default voice."));
      await visible(page.getByRole("button", { name: /Formal me\s*Default/ }));
      await visible(page.getByRole("button", { name: /^Founder me/ }));
      expect(await page.getByRole("button", { name: /Founder me\s*Default/ }).count()).toBe(0);
    });
  });
});
