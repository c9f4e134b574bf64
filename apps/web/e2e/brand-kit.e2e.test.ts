import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { signUpInBrowser, stepRunner, uniqueEmail, useBrowserStack } from "./browser.ts";
import { goTo } from "./shell-nav.ts";

/** A 1×1 PNG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

const t = useBrowserStack();
let page: Page;

beforeAll(async () => {
  ({ page } = await t.openPage({ viewport: { width: 1300, height: 900 } }));
});

const step = stepRunner(() => page, "brand", 170_000);

const visible = (locator: Locator) => locator.first().waitFor({ state: "visible" });
const field = (label: string) => page.getByLabel(label, { exact: true });

describe("the brand kit in the browser", () => {
  it("sets colours, voice and a logo, with clear errors, and keeps them", async () => {
    const email = uniqueEmail("brand");

    await step("sign up and open the brand kit", async () => {
      await signUpInBrowser(page, { name: "Grace Hopper", email: email });
      await goTo(page, "Write", "Brand kit");
      await visible(page.getByRole("heading", { level: 1, name: "Brand kit" }));
    });

    await step("colours show live swatches and names; a bad hex says why", async () => {
      await page.getByLabel("Brand name").fill("Crumb & Co");
      await page.getByLabel("Tagline").fill("Bread worth waking up for");
      await field("Primary colour").fill("#1E3A8A");
      await visible(page.getByText("The writer calls it “dark blue”."));
      const swatch = page
        .locator(".field")
        .filter({ has: field("Primary colour") })
        .locator("[data-swatch]");
      await expect.poll(() => swatch.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(30, 58, 138)");
      await field("Secondary colour").fill("navy");
      await field("Accent colour").click();
      await visible(page.getByText('"navy" is not a hex colour: use # and six hex digits, like #1a2b3c'));
      await field("Secondary colour").fill("#f59e0b");
      await field("Accent colour").fill("#FFC0CB");
      // The preview lists the palette with the same names.
      await visible(page.getByRole("complementary", { name: "Preview" }).getByText("· pale pink"));
    });

    await step("the voice prompt counts to 500 and 501 is refused", async () => {
      const voice = page.getByLabel("Voice prompt");
      await voice.fill("w".repeat(501));
      await visible(page.getByText("501 / 500 characters — 1 too many"));
      await page.getByRole("button", { name: "Save brand kit" }).click();
      await visible(page.getByText("The voice prompt can be at most 500 characters (it has 501)"));
      await voice.fill("Warm and plain-spoken. Short sentences, no jargon.");
      await visible(page.getByText("50 / 500 characters"));
      await page.getByRole("button", { name: "Save brand kit" }).click();
      await visible(page.getByText("Brand kit saved. New generations will use it."));
    });

    await step("a text file named logo.png is refused by the server, a big file before upload", async () => {
      const file = page.getByLabel("Logo file");
      await file.setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: Buffer.from("not a picture at all") });
      await visible(page.getByRole("alert").filter({ hasText: "That file is plain text, not a PNG, JPEG, WebP or GIF image." }));
      const big = Buffer.alloc(3 * 1024 * 1024);
      PNG.copy(big);
      await file.setInputFiles({ name: "huge.png", mimeType: "image/png", buffer: big });
      await visible(page.getByRole("alert").filter({ hasText: "That file is 3 MB; the limit is 2 MB." }));
    });

    await step("a real logo uploads and shows through its signed URL", async () => {
      await page.getByLabel("Logo file").setInputFiles({ name: "crumb.png", mimeType: "image/png", buffer: PNG });
      await visible(page.getByText("Logo uploaded."));
      const logo = page.getByRole("img", { name: "Your logo" });
      await expect.poll(() => logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
      expect(await logo.getAttribute("src")).toMatch(/^\/files\/[0-9a-f-]{36}\?exp=\d+&sig=[A-Za-z0-9_-]{43}$/);
      await visible(page.getByRole("button", { name: "Replace logo" }));
    });

    await step("everything is still there after a reload", async () => {
      await page.reload();
      await visible(page.getByRole("heading", { level: 1, name: "Brand kit" }));
      await expect.poll(() => page.getByLabel("Brand name").inputValue()).toBe("Crumb & Co");
      expect(await field("Primary colour").inputValue()).toBe("#1e3a8a");
      expect(await field("Accent colour").inputValue()).toBe("#ffc0cb");
      const logo = page.getByRole("img", { name: "Your logo" });
      await expect.poll(() => logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
    });
  });
});
