/**
 * Subscribing in a real browser against the real stack and the local Stripe sandbox: /billing (reached
 * from the account menu) opens Stripe Checkout in subscription mode, the paid plan comes home as the
 * current plan with its first invoice and the month's credits (granted by the signed webhook through
 * the fulfilment job), and the sandbox's test clock turns a failed renewal into the grace-period banner.
 * Axe-clean at 1280 px and 390 px.
 *
 * Set E2E_SCREENSHOTS=1 to keep a screenshot of every step in apps/web/test-results/.
 */
import { TEST_CARDS } from "@inkwell/domain/payments/testing";
import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { fitsAndPassesAxe, PHONE, signUpInBrowser, stepRunner, uniqueEmail, useStripeBrowserStack } from "./browser.ts";

const t = useStripeBrowserStack({ tag: "billing" });
let page: Page;
beforeAll(async () => {
  ({ page } = await t.openPage());
});

// Steps get a minute: sign-up hashes a password and the machine may be busy with other suites.
const step = stepRunner(() => page, "billing", 60_000);
const visible = (locator: Locator) => locator.first().waitFor({ state: "visible" });
const currentTier = () => page.getByTestId("current-tier");

describe("subscriptions", () => {
  it("subscribes in the Stripe sandbox, sees the plan and its invoice, and a failed renewal's grace period", async () => {
    await step("sign up", async () => {
      await signUpInBrowser(page, { name: "Bea Subscriber", email: uniqueEmail("billing") });
    });

    await step("open Billing from the account menu: the Free plan", async () => {
      await page.getByRole("button", { name: /^Account:/ }).click();
      await page.getByRole("menuitem", { name: "Billing" }).click();
      await page.waitForURL(/\/billing$/);
      await visible(page.getByRole("heading", { level: 1, name: "Billing" }));
      await expect.poll(() => currentTier().textContent(), { timeout: 15_000 }).toBe("Free");
      await visible(page.getByText("No invoices yet."));
      await fitsAndPassesAxe(page);
    });

    await step("subscribe to Pro on the sandbox's checkout page", async () => {
      await page.getByRole("button", { name: /^Subscribe to Pro/ }).click();
      await page.waitForURL(`${t.stripe.url}/checkout/pay/**`);
      await visible(page.getByRole("heading", { name: "Inkwell Pro (monthly)" }));
      await page.getByLabel("Card number").fill(TEST_CARDS.succeeds);
      await page.getByLabel("Expiry (MM / YY)").fill("12 / 34");
      await page.getByLabel("CVC").fill("123");
      await page.getByRole("button", { name: /^Pay 29\.00 USD/ }).click();
      await page.waitForURL(/\/billing\?payment=[0-9a-f-]+$/);
    });

    await step("the plan is Pro, with its next renewal and its first invoice", async () => {
      await expect.poll(() => currentTier().textContent(), { timeout: 20_000 }).toBe("Pro");
      await visible(page.getByText("Active", { exact: true }));
      await visible(page.getByText("Next renewal"));
      const invoices = page.getByRole("table", { name: /Your invoices/ });
      await visible(invoices.locator("[data-invoice-status=paid]").filter({ hasText: "Pro · First month" }));
      await visible(invoices.getByText("Added 20,000 credits"));
      await visible(page.getByRole("button", { name: "Pro: your current plan" }));
      await visible(page.getByRole("button", { name: /^Upgrade to Enterprise/ }));
      await visible(page.getByRole("button", { name: /^Downgrade to Basic/ }));
      await fitsAndPassesAxe(page);
    });

    await step("the month's credits are in the balance", async () => {
      await page.getByRole("link", { name: "Credits" }).first().click();
      await page.waitForURL(/\/credits$/);
      await expect.poll(() => page.locator(".stat-main .stat-value").textContent(), { timeout: 15_000 }).toBe("25,000");
      await page.getByRole("link", { name: "Plans and billing" }).click();
      await page.waitForURL(/\/billing$/);
    });

    await step("the sandbox clock: a failed renewal shows the grace period", async () => {
      await visible(page.getByText("Stripe sandbox"));
      await page.getByRole("button", { name: "Make the next renewal fail" }).click();
      await expect
        .poll(() => page.getByRole("button", { name: "Make the next renewal fail" }).getAttribute("aria-pressed"), {
          timeout: 15_000,
        })
        .toBe("true");
      await page.getByRole("button", { name: "Renew now" }).click();
      const banner = page.getByRole("alert").filter({ hasText: "Your last payment failed" });
      await visible(banner);
      await visible(banner.getByText(/You keep Pro until/));
      expect(await currentTier().textContent()).toBe("Pro");
      await visible(page.getByRole("table", { name: /Your invoices/ }).locator("[data-invoice-status=failed]"));
      await fitsAndPassesAxe(page);
    });

    await step("on a phone the page fits its width", async () => {
      await page.setViewportSize(PHONE);
      await page.reload();
      await expect.poll(() => currentTier().textContent(), { timeout: 15_000 }).toBe("Pro");
      await visible(page.getByRole("table", { name: /Your invoices/ }));
      await fitsAndPassesAxe(page);
    });
  });
});
