import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium, openPage, STEP_TIMEOUT, signUpInBrowser, stepRunner } from "./browser.ts";
import { goTo } from "./shell-nav.ts";
import { type Stack, startStack } from "./stack.ts";

const keepScreenshots = process.env.E2E_SCREENSHOTS === "1";

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  stack = await startStack(inject("databaseUrl"));
  browser = await launchChromium();
  await freshBrowserSession();
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.stop();
});

/** A new browser context (no cookies) and page; each test starts as a new visitor. */
async function freshBrowserSession() {
  await context?.close();
  ({ context, page } = await openPage(browser, stack.baseUrl, { viewport: { width: 1280, height: 860 }, consoleErrors: true }));
}

/** One named step, bounded in time; on failure a screenshot of the page goes to test-results/. */
const step = stepRunner(() => page, "auth");

const heading = (name: string | RegExp) => page.getByRole("heading", { level: 1, name });

/** playwright-core has no test runner assertions: poll with vitest's instead. */
const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: STEP_TIMEOUT, interval: 100 });
const visible = (locator: Locator) => locator.first().waitFor({ state: "visible" });
/** The text a screen reader reads as the element's description (its aria-describedby targets). */
const description = (locator: Locator) =>
  locator.evaluate((el) =>
    (el.getAttribute("aria-describedby") ?? "")
      .split(/\s+/)
      .map((id) => document.getElementById(id)?.textContent ?? "")
      .join(" ")
      .trim(),
  );
const focused = (locator: Locator) => locator.evaluate((el) => el === document.activeElement);
const banner = () => page.getByRole("region", { name: "E-mail confirmation" });

describe("account journey in the browser", () => {
  it("signs up, confirms the e-mail, signs out and in, and edits the profile", async () => {
    const started = performance.now();
    const email = `ada-${Date.now()}@example.test`;
    const password = "correct horse battery staple";

    await step("signed out visitors land on sign in", async () => {
      await page.goto("/");
      await visible(heading("Sign in"));
      expect(new URL(page.url()).pathname).toBe("/sign-in");
      await page.getByRole("link", { name: "Create an account" }).click();
      await visible(heading("Create your account"));
    });

    await step("inline validation before sending", async () => {
      await page.getByLabel("E-mail").fill("not-an-address");
      await page.getByLabel("Password", { exact: true }).fill("short");
      await page.getByRole("button", { name: "Create account" }).click();
      const emailInput = page.getByLabel("E-mail");
      await eventually(() => emailInput.getAttribute("aria-invalid")).toBe("true");
      await eventually(() => description(emailInput)).toMatch(/valid e-mail address/);
      await eventually(() => focused(emailInput)).toBe(true);
      await eventually(() => description(page.getByLabel("Password", { exact: true }))).toMatch(/at least 8 characters/i);
    });

    await step("sign up", async () => {
      await page.getByLabel("Display name").fill("Ada Lovelace");
      await page.getByLabel("E-mail").fill(email);
      await page.getByLabel("Password", { exact: true }).fill(password);
      await page.getByRole("button", { name: "Create account" }).click();
      await visible(heading("Welcome, Ada Lovelace"));
      await eventually(() => banner().textContent()).toContain("Please confirm your e-mail address");
      await eventually(() => banner().textContent()).toContain(email);
      await visible(page.getByRole("banner").getByRole("button", { name: "Account: Ada Lovelace" }));
    });

    await step("confirm the e-mail from the link that arrived", async () => {
      const link = await stack.linkFromMail(email, "/verify-email");
      expect(link.startsWith(`${stack.baseUrl}/verify-email?token=`)).toBe(true);
      await page.goto(link);
      await visible(page.getByText("Your e-mail address is confirmed"));
      await eventually(() => banner().count()).toBe(0);
      await page.getByRole("link", { name: "Continue to Inkwell" }).click();
      await visible(heading("Welcome, Ada Lovelace"));
      await eventually(() => banner().count()).toBe(0);
    });

    await step("sign out", async () => {
      await goTo(page, "Account", "Sign out");
      await visible(heading("Sign in"));
      await visible(page.getByText("You're signed out"));
      // Protected pages now send the visitor to sign in, and back afterwards.
      await page.goto("/settings");
      await visible(heading("Sign in"));
      expect(new URL(page.url()).search).toBe(`?next=${encodeURIComponent("/settings")}`);
    });

    await step("the API's field error shows under its field", async () => {
      await page.goto("/sign-up");
      await page.getByLabel("E-mail").fill(email.toUpperCase());
      await page.getByLabel("Password", { exact: true }).fill("password123");
      await page.getByRole("button", { name: "Create account" }).click();
      const passwordInput = page.getByLabel("Password", { exact: true });
      await eventually(() => passwordInput.getAttribute("aria-invalid")).toBe("true");
      await eventually(() => description(passwordInput)).toMatch(/too common/);
    });

    await step("signing up with a taken address tells the page nothing; the holder gets a mail", async () => {
      await page.getByLabel("Password", { exact: true }).fill("another good passphrase");
      await page.getByRole("button", { name: "Create account" }).click();
      await visible(page.getByText("Check your inbox"));
      const inbox = page.getByRole("status").filter({ hasText: "Check your inbox" });
      await eventually(async () => (await inbox.textContent())?.toLowerCase()).toContain(email);
      expect(new URL(page.url()).pathname).toBe("/sign-up");
      const note = await stack.smtp.waitFor((m) => m.to.includes(email) && /tried to sign up/i.test(m.subject), STEP_TIMEOUT);
      expect(note.text).toContain(`${stack.baseUrl}/forgot-password`);
    });

    await step("a wrong password is refused", async () => {
      await page.getByRole("link", { name: "Sign in", exact: true }).first().click();
      await visible(heading("Sign in"));
      await page.getByLabel("E-mail").fill(email);
      await page.getByLabel("Password", { exact: true }).fill("not the password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await eventually(() => page.getByRole("alert").textContent()).toContain("Wrong e-mail or password");
    });

    await step("sign in", async () => {
      await page.getByLabel("Password", { exact: true }).fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await visible(heading("Welcome, Ada Lovelace"));
      await eventually(() => banner().count()).toBe(0);
      // Signed-in users who open sign in go to their profile.
      await page.goto("/sign-in");
      await visible(heading("Profile"));
    });

    await step("edit the profile; the change survives a reload", async () => {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Home" }).click();
      await visible(heading("Welcome, Ada Lovelace"));
      await goTo(page, "Account", "Profile");
      await visible(heading("Profile"));
      await eventually(() => page.getByLabel("Display name").inputValue()).toBe("Ada Lovelace");
      await page.getByLabel("Display name").fill("Ada King");
      await page.getByLabel("Dark").check();
      await page.getByRole("button", { name: "Save profile" }).click();
      await visible(page.getByRole("status").filter({ hasText: "Profile saved." }));
      await eventually(() => page.locator("html").getAttribute("data-theme")).toBe("dark");
      await page.reload();
      await visible(heading("Profile"));
      await eventually(() => page.getByLabel("Display name").inputValue()).toBe("Ada King");
      await eventually(() => page.getByLabel("Dark").isChecked()).toBe(true);
      await eventually(() => page.getByRole("banner").textContent()).toContain("Ada King");
    });

    await step("a bad avatar URL gets an inline error", async () => {
      const avatar = page.getByLabel("Avatar URL");
      await avatar.fill("javascript:alert(1)");
      await page.getByRole("button", { name: "Save profile" }).click();
      await eventually(() => avatar.getAttribute("aria-invalid")).toBe("true");
      await eventually(() => description(avatar)).toMatch(/http\(s\) address/);
      await eventually(() => focused(avatar)).toBe(true);
      // Nothing was saved.
      await page.reload();
      await eventually(() => page.getByLabel("Avatar URL").inputValue()).toBe("");
    });

    if (keepScreenshots) {
      await step("settings page", async () => {
        await goTo(page, "Account", "Settings");
        await visible(page.getByText("This device"));
      });
    }

    console.log(`[e2e] journey took ${Math.round(performance.now() - started)} ms`);
  });
  it("shows the credits: welcome grant, prices, spending, alerts and usage", async () => {
    await freshBrowserSession();
    const started = performance.now();
    const email = `grace-${Date.now()}@example.test`;
    const chip = () => page.getByRole("banner").getByRole("link", { name: /credits? available/ });
    const bell = () => page.getByRole("banner").getByRole("button", { name: /^Notifications/ });
    const history = () => page.getByRole("table", { name: /Credit history/ });

    await step("after sign-up the header shows the welcome credits", async () => {
      await signUpInBrowser(page, { name: "Grace Hopper", email, password: "a ship in port is safe" });
      await eventually(() => chip().textContent()).toMatch(/^5,000 credits available$/);
      await eventually(() => bell().getAttribute("aria-label")).toBe("Notifications");
    });

    await step("the credits page: balance, welcome grant and price list", async () => {
      await chip().click();
      await visible(heading("Credits"));
      await eventually(() => page.getByRole("region", { name: "Balance" }).textContent()).toContain("Available5,000 credits");
      const welcome = history().getByRole("row", { name: /Welcome credits/ });
      await eventually(() => welcome.textContent()).toContain("+5,000");
      const prices = page.getByRole("table", { name: "Price per operation, in credits" });
      await eventually(() => prices.getByRole("row", { name: /Writer generation/ }).textContent()).toMatch(
        /One output format generated by the writer\s*10$/,
      );
      // Only what can be run today (a header and eleven operations): chat replies, writer outputs and
      // revisions, voice analysis, the studio's image descriptions, image generations and persona voices,
      // stories' transcriptions, and study material, short-answer grading and writing feedback.
      await eventually(() => prices.getByRole("row").count()).toBe(12);
      expect(await prices.getByRole("row", { name: /Image generation/ }).textContent()).toMatch(/One generated image\s*40$/);
      expect(await prices.getByRole("row", { name: /Persona voice/ }).textContent()).toMatch(/persona's voice.*\s*3$/);
      expect(await prices.getByRole("row", { name: /Study material/ }).textContent()).toMatch(/20$/);
      expect(await prices.getByRole("row", { name: /Audio transcription/ }).textContent()).toMatch(/10$/);
      // The not-enough-credits example is told with this reader's balance, not a made-up one.
      await eventually(() => page.getByRole("region", { name: "When a generation can't run" }).textContent()).toContain(
        "you have 5,000 available",
      );
    });

    await step("spending shows in the header, the bell and the history", async () => {
      await stack.generate(email, { operation: "writer.generate", quantity: 400, topic: "A lighthouse at dawn" });
      for (let i = 0; i < 12; i++) await stack.generate(email, { operation: "chat.reply", topic: `Question ${i + 1}` });
      await stack.generate(email, { operation: "chat.reply", topic: "Doomed", failWith: "The provider returned 503" });
      await page.reload();
      await visible(heading("Credits"));
      await eventually(() => chip().textContent()).toMatch(/^976 credits available$/);
      await eventually(() => bell().getAttribute("aria-label")).toBe("Notifications, 1 unread");
      // One line per operation (29 ledger entries: reservations and their settlements): 14 generations
      // and the welcome grant, on one page.
      await eventually(() => history().getByRole("row").count()).toBe(16);
      await eventually(() => history().getByRole("row").nth(1).textContent()).toMatch(
        /Chat reply.*Nothing was charged.*Released.*No charge/,
      );
      await visible(history().getByRole("row", { name: /Welcome credits/ }));
      await eventually(() =>
        history()
          .getByRole("row", { name: /Writer generation/ })
          .textContent(),
      ).toMatch(/Charged.*−4,000/);
      await visible(page.getByText("All 15 entries shown."));
    });

    await step("the bell lists the credits alert and marks it read", async () => {
      await bell().click();
      const panel = page.getByRole("dialog", { name: "Notifications" });
      await visible(panel.getByText("80% of your credits are used"));
      await panel.getByRole("button", { name: /Mark as read/ }).click();
      await eventually(() => bell().getAttribute("aria-label")).toBe("Notifications");
      await page.keyboard.press("Escape");
      await eventually(() => panel.count()).toBe(0);
      await eventually(() => focused(bell())).toBe(true);
    });

    await step("filter the history by state", async () => {
      await page.getByRole("group", { name: "State" }).getByLabel("Charged", { exact: true }).check();
      await eventually(() => history().getByRole("row").count()).toBe(14); // header + 13 settled generations
      expect(
        await history()
          .getByRole("row", { name: /Welcome credits/ })
          .count(),
      ).toBe(0);
      await eventually(async () => new URL(page.url()).search).toBe("?state=charged");
      await page.getByRole("button", { name: "Clear filters" }).click();
      await eventually(() => history().getByRole("row").count()).toBe(16);
      await eventually(async () => new URL(page.url()).search).toBe("");
    });

    await step("the usage tab lists every generation", async () => {
      await page.getByRole("navigation", { name: "Credit activity" }).getByRole("link", { name: "Usage" }).click();
      const table = page.getByRole("table", { name: /Generations/ });
      await eventually(() => table.getByRole("row").count()).toBe(15); // header + 14 generations
      const writer = table.getByRole("row", { name: /Writer generation/ });
      await eventually(() => writer.textContent()).toMatch(
        /A lighthouse at dawn.*e2e-model-1.*1,200.*340.*1\.8 s.*4,000.*Succeeded/,
      );
      const failed = table.getByRole("row", { name: /Doomed/ });
      await eventually(() => failed.textContent()).toMatch(/Failed.*The provider returned 503/);
      await page.getByLabel("Status").selectOption("failed");
      await eventually(() => table.getByRole("row").count()).toBe(2);
    });

    console.log(`[e2e] credits journey took ${Math.round(performance.now() - started)} ms`);
  });
});
