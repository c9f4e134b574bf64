/**
 * Buying credits in a real browser against the real stack and the local Stripe sandbox: the credits
 * page opens Stripe Checkout (the sandbox's hosted pay page, through the real SDK), a declined card is
 * refused there, backing out comes home with nothing charged, and a paid pack comes home to "Payment
 * received" with the credits in the balance and the history — granted by the signed webhook through the
 * fulfilment job, as in production.
 *
 * Set E2E_SCREENSHOTS=1 to keep a screenshot of every step in apps/web/test-results/.
 */
import { TEST_CARDS } from "@inkwell/domain/payments/testing";
import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { overflowOf, PHONE, signUpInBrowser, stepRunner, uniqueEmail, useStripeBrowserStack } from "./browser.ts";

const t = useStripeBrowserStack({ tag: "payments" });
let page: Page;
beforeAll(async () => {
  ({ page } = await t.openPage());
});

const step = stepRunner(() => page, "payments");

const visible = (locator: Locator) => locator.first().waitFor({ state: "visible" });
const available = () => page.locator(".stat-main .stat-value");

async function payWith(card: string) {
  await page.getByLabel("Card number").fill(card);
  await page.getByLabel("Expiry (MM / YY)").fill("12 / 34");
  await page.getByLabel("CVC").fill("123");
  await page.getByRole("button", { name: /^Pay / }).click();
}

describe("buying credits", () => {
  it("buys a pack in the Stripe sandbox and sees the credits", async () => {
    await step("sign up and open the credits page", async () => {
      await signUpInBrowser(page, { name: "Ada Buyer", email: uniqueEmail("payments") });
      await page.goto("/credits");
      await visible(page.getByRole("heading", { level: 2, name: "Buy credits" }));
      await expect.poll(() => available().textContent()).toBe("5,000");
    });

    await step("backing out of checkout charges nothing", async () => {
      await page.getByRole("button", { name: /^Buy Starter pack/ }).click();
      await page.waitForURL(`${t.stripe.url}/checkout/pay/**`);
      await page.getByRole("link", { name: /Back without paying/ }).click();
      await page.waitForURL(/\/credits\?payment=.*cancelled=1/);
      await visible(page.getByText("Checkout cancelled"));
      expect(await available().textContent()).toBe("5,000");
    });

    await step("a declined card is refused on the pay page", async () => {
      // Buying the same pack again while its page is still open gets that page (one payable page per pack).
      await page.getByRole("button", { name: /^Buy Starter pack/ }).click();
      await page.waitForURL(`${t.stripe.url}/checkout/pay/**`);
      await visible(page.getByRole("heading", { name: "Starter pack: 5,000 credits" }));
      await payWith(TEST_CARDS.declined);
      await visible(page.getByRole("alert").filter({ hasText: "Your card was declined." }));
    });

    await step("a good card pays and comes back to the credits", async () => {
      await payWith(TEST_CARDS.succeeds);
      await page.waitForURL(/\/credits\?payment=[0-9a-f-]+$/);
      await visible(page.getByText("Payment received"));
      await visible(page.getByText(/Added 5,000 credits/));
      await expect.poll(() => available().textContent(), { timeout: 15_000 }).toBe("10,000");
    });

    await step("the purchase is in the history, once", async () => {
      const rows = page
        .getByRole("table", { name: /Credit history/ })
        .locator("tbody tr")
        .filter({ hasText: "Starter pack: 5,000 credits" });
      await visible(rows);
      expect(await rows.count()).toBe(1);
      await expect.poll(() => rows.first().locator(".amount").textContent()).toBe("+5,000");
      // The webhook arrived and was fulfilled (or found already fulfilled by the return page): never twice.
      await t.stripe.settled();
      const completed = t.stripe.events.filter((e) => e.type === "checkout.session.completed");
      expect(completed).toHaveLength(1);
      expect(completed[0]?.attempts.at(-1)).toBe(200);
      await page.reload();
      await expect.poll(() => available().textContent()).toBe("10,000");
      // Recent payments: one, paid (backed out of, then declined, then paid: all on the same page).
      const payments = page.getByRole("table", { name: "Your recent payments" });
      await visible(payments);
      await expect.poll(() => payments.locator("[data-payment-status=paid]").count()).toBe(1);
      await expect.poll(() => payments.locator("[data-payment-status=pending]").count()).toBe(0);
      await visible(payments.getByText("Added 5,000 credits"));
    });

    await step("on a phone the page fits its width", async () => {
      await page.setViewportSize(PHONE);
      await page.reload();
      await visible(page.getByRole("heading", { level: 2, name: "Buy credits" }));
      await visible(page.getByRole("table", { name: "Your recent payments" }));
      // Nothing wider than the screen: a sideways-scrolling page hides the Buy buttons and the amounts.
      expect(await overflowOf(page)).toBeLessThanOrEqual(0);
      // Each payment's state and amount are on screen, not scrolled off to the right of its table.
      const paid = page.getByRole("table", { name: "Your recent payments" }).locator("[data-payment-status=paid]");
      for (const text of ["Paid", "$5.00", "Starter pack: 5,000 credits"]) {
        const box = await paid.getByText(text, { exact: true }).locator("visible=true").first().boundingBox();
        expect(box, text).not.toBeNull();
        expect((box?.x ?? 0) + (box?.width ?? 0), text).toBeLessThanOrEqual(390 - 16);
      }
      const table = page.getByRole("table", { name: "Your recent payments" });
      expect(await table.evaluate((t) => (t.parentElement?.scrollWidth ?? 0) <= (t.parentElement?.clientWidth ?? 0))).toBe(true);
    });
  });
});
