/**
 * Ordering a printed book in a real browser against the real stack: the order form's price comes from
 * the server as options change, a bad address is refused on the form, paying happens on the local Stripe
 * sandbox's page (real SDK, signed webhook, the fulfilment job), and the order page follows the order as
 * the worker's print jobs send it to the local sandbox printer (which downloads the book's PDFs through
 * signed links) and the printer moves it on: shipped with tracking, then delivered. The book is made
 * ready to order by a fixture (an approved book with stored PDFs): the designer is the books test's.
 *
 * Set E2E_SCREENSHOTS=1 to keep a screenshot of every step in apps/web/test-results/.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asUser } from "@inkwell/db";
import { bookOrdersJobs, createPrintVendorClient, quoteOrder } from "@inkwell/domain/books";
import { insertFixtureApprovedBook, type PrintSandbox, startPrintSandbox } from "@inkwell/domain/books/testing";
import { LocalDiskStorage } from "@inkwell/domain/files";
import { paymentsJobs } from "@inkwell/domain/payments";
import { TEST_CARDS } from "@inkwell/domain/payments/testing";
import { generateKeySpec, parseKeyRing } from "@inkwell/domain/platform";
import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  callApi,
  fitsAndPassesAxe,
  overflowOf,
  PHONE,
  signUpInBrowser,
  stepRunner,
  uniqueEmail,
  useStripeBrowserStack,
} from "./browser.ts";

let printer: PrintSandbox;
const filesDir = mkdtempSync(join(tmpdir(), "inkwell-e2e-orders-"));
const keys = generateKeySpec("orders");

beforeAll(async () => {
  // Each printer step takes 1.5 s here (15 s in `pnpm dev`); the printer fetches our PDFs as Lulu does.
  printer = await startPrintSandbox({ stepMs: 1_500, checkFiles: true });
});
// The worker's part: payments' fulfilment and the print jobs.
const t = useStripeBrowserStack({
  tag: "orders",
  // Our own files folder and key ring, so the fixture's PDFs and the worker's signed links are the API's.
  env: () => ({ STORAGE_LOCAL_DIR: filesDir, INKWELL_ENCRYPTION_KEYS: keys }),
  jobs: [...paymentsJobs, ...bookOrdersJobs],
  deps: ({ enqueue }) => ({
    enqueue,
    keyRing: parseKeyRing(keys),
    printVendor: {
      client: createPrintVendorClient({
        baseUrl: printer.url,
        clientKey: printer.clientKey,
        clientSecret: printer.clientSecret,
      }),
      sandbox: true,
      filesBaseUrl: t.stack.baseUrl,
      pollSeconds: 1,
      contactEmail: "orders@inkwell.test",
    },
  }),
  afterStop: async () => {
    await printer?.stop();
    rmSync(filesDir, { recursive: true, force: true });
  },
});
let page: Page;

beforeAll(async () => {
  ({ page } = await t.openPage());
});

const step = stepRunner(() => page, "orders");
const visible = (locator: Locator) => locator.first().waitFor({ state: "visible" });

describe("ordering a printed book", () => {
  it("pays in the sandbox and sees the order ship", async () => {
    const email = uniqueEmail("orders");
    let bookId = "";

    await step("sign up with a book ready to order", async () => {
      await signUpInBrowser(page, { name: "Ada Orders", email });
      const campaign = await callApi<{ id: string }>(page, "stories.campaigns.create", {
        title: "Gran's life",
        storytellerName: "Gran",
        relationshipType: "grandparent",
        goalStories: 5,
        themes: ["family"],
      });
      const userId = await t.userIdOf(email);
      const book = await asUser(t.db, userId, (tx) =>
        insertFixtureApprovedBook({ storage: new LocalDiskStorage(filesDir) }, tx, userId, campaign.id, {
          title: "Gran's life",
          pageCount: 64,
        }),
      );
      bookId = book.bookId;
    });

    await step("the order form prices the options on the server", async () => {
      await page.goto(`/orders/new?book=${bookId}`);
      await visible(page.getByRole("heading", { level: 1, name: "Order printed copies" }));
      await visible(page.locator("[data-role=sandbox-printer]"));
      const total = page.locator("[data-role=order-total]");
      const expected = (q: ReturnType<typeof quoteOrder>) => `$${(q.totalCents / 100).toFixed(2)}`;
      await expect
        .poll(() => total.textContent())
        .toBe(
          expected(
            quoteOrder(64, {
              options: { size: "6x9", binding: "paperback", paper: "standard" },
              quantity: 1,
              shippingLevel: "MAIL",
            }),
          ),
        );
      await page.getByLabel("Binding").selectOption("hardcover");
      await page.getByRole("spinbutton", { name: "Copies" }).fill("2");
      await expect
        .poll(() => total.textContent())
        .toBe(
          expected(
            quoteOrder(64, {
              options: { size: "6x9", binding: "hardcover", paper: "standard" },
              quantity: 2,
              shippingLevel: "MAIL",
            }),
          ),
        );
      await fitsAndPassesAxe(page);
    });

    await step("a wrong postcode is refused on the form", async () => {
      await page.getByLabel("Full name").fill("Ada Lovelace");
      await page.getByLabel("Phone").fill("+1 555 010 0199");
      await page.getByLabel("Street address").fill("12 Elm Street");
      await page.getByLabel("City").fill("Springfield");
      await page.getByLabel("State or province").fill("IL");
      await page.getByLabel("Postcode").fill("ABCDE");
      await page.getByRole("button", { name: /^Pay / }).click();
      await visible(page.getByText("Not a postcode of United States"));
      expect(page.url()).toContain("/orders/new");
      await page.getByLabel("Postcode").fill("62701");
    });

    await step("pays on the Stripe sandbox page and comes back to the order", async () => {
      await page.getByRole("button", { name: /^Pay / }).click();
      await page.waitForURL(`${t.stripe.url}/checkout/pay/**`);
      await page.getByLabel("Card number").fill(TEST_CARDS.succeeds);
      await page.getByLabel("Expiry (MM / YY)").fill("12 / 34");
      await page.getByLabel("CVC").fill("123");
      await page.getByRole("button", { name: /^Pay / }).click();
      await page.waitForURL(/\/orders\/[0-9a-f-]+\?payment=[0-9a-f-]+$/);
      await visible(page.getByRole("heading", { level: 1, name: /^Order INK-/ }));
      await visible(page.locator("[data-role=sandbox-printer]"));
      await expect.poll(() => page.locator("[data-role=order-status]").getAttribute("data-status")).not.toBe("pending");
    });

    await step("the printer ships it: tracking on the order page", async () => {
      const status = page.locator("[data-role=order-status]");
      // The sandbox steps every 1.5 s, so the page may first see it shipped or already delivered.
      await expect.poll(() => status.getAttribute("data-status"), { timeout: 30_000 }).toMatch(/^(shipped|delivered)$/);
      await visible(
        page
          .getByRole("listitem")
          .filter({ hasText: /^Shipped / })
          .locator("time"),
      );
      const tracking = page.locator("[data-role=order-tracking]");
      await visible(tracking.getByText(/Sandbox Post: SBX[0-9A-F]+/));
      await visible(tracking.getByRole("link", { name: "Track the parcel" }));
      await visible(page.getByText("Sandbox printer: this tracking number is made up."));
      await fitsAndPassesAxe(page);
    });

    await step("delivered, once: one print job, one paid event", async () => {
      const status = page.locator("[data-role=order-status]");
      await expect.poll(() => status.getAttribute("data-status"), { timeout: 30_000 }).toBe("delivered");
      await visible(status.getByText("Delivered"));
      expect([...printer.jobs.values()].filter((j) => j.lineItems[0]?.title === "Gran's life")).toHaveLength(1);
      await t.stripe.settled();
      expect(t.stripe.events.filter((e) => e.type === "checkout.session.completed")).toHaveLength(1);
    });

    await step("the orders list and a phone's width", async () => {
      await page.setViewportSize(PHONE);
      await page.goto("/orders");
      await visible(page.getByRole("heading", { level: 1, name: "Book orders" }));
      await visible(page.getByRole("list", { name: "Your orders" }).getByText("Delivered"));
      expect(await overflowOf(page)).toBeLessThanOrEqual(0);
      await page.getByRole("link", { name: /Gran's life/ }).click();
      await visible(page.getByRole("heading", { level: 1, name: /^Order INK-/ }));
      expect(await overflowOf(page)).toBeLessThanOrEqual(0);
      await fitsAndPassesAxe(page);
    });
  });
});
