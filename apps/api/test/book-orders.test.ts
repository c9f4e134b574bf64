/**
 * Book orders end to end: the price is the server's, the address is checked, only an owner of the book's
 * campaign orders and only the buyer sees an order (everyone else NOT_FOUND); paying in the local Stripe
 * sandbox (real SDK, signed webhooks on a real socket, the fulfilment job through pg-boss) moves the order
 * to processing exactly once whatever is replayed or reordered; the print jobs send it to the local
 * sandbox printer over HTTP (OAuth, cost calculation, print job with signed PDF links) and walk it to
 * printed, shipped with tracking and delivered; the database refuses every illegal status change.
 */
import { type ServerType, serve } from "@hono/node-server";
import { asSystem, asUser, createDb } from "@inkwell/db";
import {
  bookOrders,
  bookOrdersJobs,
  createPrintVendorClient,
  type PrintDeps,
  PrintVendorError,
  quoteOrder,
} from "@inkwell/domain/books";
import { insertFixtureApprovedBook, type PrintSandbox, startPrintSandbox } from "@inkwell/domain/books/testing";
import { handlersFor } from "@inkwell/domain/jobs/handlers";
import { createStripeClient, type PaymentsRuntime, payments, paymentsJobs } from "@inkwell/domain/payments";
import { type StripeSandbox, startStripeSandbox, TEST_CARDS } from "@inkwell/domain/payments/testing";
import { createBoss, createEnqueue, prepareQueues, registerJobs } from "@inkwell/domain/platform";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createApp } from "../src/app.ts";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";
import { payOnPage, until } from "./payments-kit.ts";

let h: Harness;
let stripe: StripeSandbox;
let printer: PrintSandbox;
let server: ServerType;
let stopWorker: () => Promise<void>;
let printDeps: PrintDeps;

const quiet = { info() {}, warn() {}, error: (o: object, m?: string) => console.error(m, o) };

beforeAll(async () => {
  h = await startHarness();
  stripe = await startStripeSandbox({ retryDelaysMs: [150, 400] });
  printer = await startPrintSandbox({ stepMs: 0, checkFiles: true });
  let app: ReturnType<typeof createApp> | undefined;
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: (req) => (app as ReturnType<typeof createApp>).fetch(req), port: 0, hostname: "127.0.0.1" }, () =>
      resolve(s),
    );
  });
  const address = server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  const runtime: PaymentsRuntime = {
    stripe: createStripeClient(stripe.secretKey, stripe.url),
    webhookSecret: stripe.webhookSecret,
    appUrl: baseUrl,
    sandbox: true,
  };
  h.deps.payments = runtime;
  h.deps.printSandbox = true;
  app = createApp({
    deps: h.deps,
    env: { APP_URL: baseUrl, ALLOWED_ORIGINS: [], TRUST_PROXY: false, INKWELL_DEV_MAIL_DIR: undefined, WEB_DIST_DIR: undefined },
  });
  stripe.setWebhookUrl(`${baseUrl}/webhooks/stripe`);
  // The worker's part for payments (fulfilment); the print jobs are run by hand below, step by step.
  const url = inject("databaseUrl");
  const { db } = createDb({ url, max: 3 });
  const boss = createBoss(url, { supervise: false, schedule: false, max: 2 });
  await boss.start();
  await prepareQueues(boss, db, [...paymentsJobs, ...bookOrdersJobs]);
  // Procedures enqueue through this boss, whose queue cache holds the order queues.
  h.deps.enqueue = createEnqueue(boss);
  await registerJobs(boss, handlersFor(paymentsJobs), { db, log: quiet }, { pollingIntervalSeconds: 0.5 });
  stopWorker = async () => {
    await boss.stop({ graceful: false });
    await db.destroy();
  };
  printDeps = {
    db: h.db,
    keyRing: h.deps.keyRing,
    enqueue: h.deps.enqueue,
    log: quiet,
    printVendor: {
      client: createPrintVendorClient({ baseUrl: printer.url, clientKey: printer.clientKey, clientSecret: printer.clientSecret }),
      sandbox: true,
      // The sandbox printer fetches the PDFs from the served app's signed /files links.
      filesBaseUrl: baseUrl,
      pollSeconds: 60,
      contactEmail: "orders@inkwell.test",
    },
  };
});

afterAll(async () => {
  await stripe?.settled();
  await stopWorker?.();
  await new Promise((r) => server?.close(r));
  await stripe?.stop();
  await printer?.stop();
  await h?.stop();
});

type User = Awaited<ReturnType<Harness["signUp"]>>;

const OPTIONS = {
  options: { size: "6x9", binding: "paperback", paper: "standard" },
  quantity: 2,
  shippingLevel: "MAIL",
} as const;
const ADDRESS = {
  name: "Ada Lovelace",
  street1: "12 Elm Street",
  city: "Springfield",
  stateCode: "il",
  postcode: "62701",
  countryCode: "US",
  phone: "+1 (555) 010-0199",
} as const;

async function ownerWithBook(tag: string, pageCount = 48) {
  const owner = await h.signUp(tag);
  const campaign = await owner.caller.stories.campaigns.create({
    title: "Gran's life",
    storytellerName: "Gran",
    relationshipType: "grandparent",
    goalStories: 5,
    themes: ["family"],
  });
  const book = await asUser(h.db, owner.me.id, (tx) =>
    insertFixtureApprovedBook(h.deps, tx, owner.me.id, campaign.id, { pageCount }),
  );
  return { owner, campaignId: campaign.id, bookId: book.bookId };
}

/** An active member of the campaign with this role (written directly: invitations are the stories tests' business). */
async function member(campaignId: string, tag: string, role: "owner" | "contributor" | "viewer"): Promise<User> {
  const u = await h.signUp(tag);
  await h.db
    .insertInto("family_members")
    .values({
      campaign_id: campaignId,
      user_id: u.me.id,
      email: u.email.toLowerCase(),
      role,
      status: "active",
      joined_at: new Date(),
    })
    .execute();
  return u;
}

const orderRow = (id: string) =>
  asSystem(h.db, (tx) => tx.selectFrom("book_orders").selectAll().where("id", "=", id).executeTakeFirstOrThrow());
const bookStatus = async (id: string) =>
  (await asSystem(h.db, (tx) => tx.selectFrom("books").select("status").where("id", "=", id).executeTakeFirstOrThrow())).status;

async function paidOrder(tag: string) {
  const { owner, bookId, campaignId } = await ownerWithBook(tag);
  const placed = await owner.caller.bookOrders.create({ bookId, ...OPTIONS, shippingAddress: ADDRESS });
  expect((await payOnPage(placed.url, TEST_CARDS.succeeds)).status).toBe(303);
  await until(
    () => orderRow(placed.orderId),
    (o) => o.status === "processing",
    "the order to be paid",
  );
  return { owner, bookId, campaignId, orderId: placed.orderId, url: placed.url };
}

describe("prices and addresses", () => {
  it("prices an order on the server from the book's real page count", async () => {
    const { owner, bookId } = await ownerWithBook("quoter", 120);
    const q = await owner.caller.bookOrders.quote({ bookId, ...OPTIONS });
    // Paperback 6×9 on standard paper: (4.50 + 0.03 × 120) per copy, shipping 5.99 + 1.50 for the second copy.
    expect(q).toEqual({ printedPages: 120, unitCents: 810, shippingCents: 749, totalCents: 2_369, currency: "usd" });
    expect(q).toEqual(quoteOrder(120, OPTIONS));
    const hard = await owner.caller.bookOrders.quote({
      bookId,
      options: { size: "8.5x11", binding: "hardcover", paper: "premium" },
      quantity: 1,
      shippingLevel: "EXPRESS",
    });
    expect(hard.unitCents).toBe(Math.round((1_100 + 6 * 120) * 1.35));
    expect(hard.totalCents).toBe(hard.unitCents + 2_499);
  });

  it("charges the server's price whatever the client sends, with a unique human-readable order number", async () => {
    const { owner, bookId } = await ownerWithBook("pricing");
    const sneaky = { bookId, ...OPTIONS, shippingAddress: ADDRESS, totalCents: 1, unitCents: 1 } as Parameters<
      User["caller"]["bookOrders"]["create"]
    >[0];
    const a = await owner.caller.bookOrders.create(sneaky);
    const b = await owner.caller.bookOrders.create({ bookId, ...OPTIONS, shippingAddress: ADDRESS });
    expect(a.orderNumber).toMatch(/^INK-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(a.orderNumber).not.toBe(b.orderNumber);
    const order = await owner.caller.bookOrders.get({ orderId: a.orderId });
    expect(order.totalCents).toBe(quoteOrder(48, OPTIONS).totalCents);
    expect(order.shippingAddress.stateCode).toBe("IL");
    expect(await (await fetch(a.url)).text()).toContain(`Pay ${(order.totalCents / 100).toFixed(2)} USD`);
    // The database refuses a second order with the same number.
    const row = await orderRow(a.orderId);
    await expect(
      asUser(h.db, owner.me.id, (tx) =>
        tx
          .insertInto("book_orders")
          .values({ ...row, id: undefined, payment_id: null, status: "pending", paid_at: null } as never)
          .execute(),
      ),
    ).rejects.toThrow(/order_number/);
  });

  it("refuses an address the printer could not deliver to", async () => {
    const { owner, bookId } = await ownerWithBook("address");
    const bad = [
      { ...ADDRESS, postcode: "ABC" },
      { ...ADDRESS, stateCode: undefined },
      { ...ADDRESS, countryCode: "ZZ" },
      { ...ADDRESS, phone: "call me" },
      { ...ADDRESS, street1: "   " },
      { ...ADDRESS, countryCode: "GB", stateCode: undefined, postcode: "62701" },
      // Control characters would break the printer's label (a line break, a NUL, a right-to-left override).
      { ...ADDRESS, street1: "12 Elm Street\nApt 4" },
      { ...ADDRESS, name: "Ada\u0000 Lovelace" },
      { ...ADDRESS, city: "Spring\u202Efield" },
    ];
    for (const shippingAddress of bad)
      await expectTrpcError(owner.caller.bookOrders.create({ bookId, ...OPTIONS, shippingAddress } as never), "BAD_REQUEST");
    const uk = await owner.caller.bookOrders.create({
      bookId,
      ...OPTIONS,
      shippingAddress: {
        ...ADDRESS,
        name: "Zoë Łukasiewicz-Ó Briain",
        city: "Llanfairpwll",
        countryCode: "GB",
        stateCode: undefined,
        postcode: "SW1A 1AA",
      },
    });
    expect(uk.orderNumber).toMatch(/^INK-/);
    expect((await owner.caller.bookOrders.get({ orderId: uk.orderId })).shippingAddress.name).toBe("Zoë Łukasiewicz-Ó Briain");
    expect(await h.db.selectFrom("book_orders").select("id").where("book_id", "=", bookId).execute()).toHaveLength(1);
  });

  it("refuses to order a book whose proof is not approved", async () => {
    const owner = await h.signUp("draft");
    const campaign = await owner.caller.stories.campaigns.create({
      title: "Draft",
      storytellerName: "Pa",
      relationshipType: "parent",
      goalStories: 3,
      themes: ["family"],
    });
    const draft = await asUser(h.db, owner.me.id, (tx) =>
      tx
        .insertInto("books")
        .values({ campaign_id: campaign.id, user_id: owner.me.id, title: "Draft" })
        .returning("id")
        .executeTakeFirstOrThrow(),
    );
    // A draft is priced (at the binding's minimum pages), but not ordered.
    expect((await owner.caller.bookOrders.quote({ bookId: draft.id, ...OPTIONS })).printedPages).toBe(32);
    await expectTrpcError(
      owner.caller.bookOrders.create({ bookId: draft.id, ...OPTIONS, shippingAddress: ADDRESS }),
      "PRECONDITION_FAILED",
    );
  });
});

describe("who may order and see orders", () => {
  it("only an owner of the book's campaign orders; an order is seen by its buyer alone; everyone else NOT_FOUND", async () => {
    const { owner, bookId, campaignId } = await ownerWithBook("matrix-owner");
    const coOwner = await member(campaignId, "matrix-coowner", "owner");
    const contributor = await member(campaignId, "matrix-contributor", "contributor");
    const viewer = await member(campaignId, "matrix-viewer", "viewer");
    const outsider = await h.signUp("matrix-outsider");

    const mine = await owner.caller.bookOrders.create({ bookId, ...OPTIONS, shippingAddress: ADDRESS });
    // A co-owner may order the family's book too; their order is theirs.
    const theirs = await coOwner.caller.bookOrders.create({ bookId, ...OPTIONS, quantity: 1, shippingAddress: ADDRESS });

    for (const u of [contributor, viewer, outsider]) {
      await expectTrpcError(u.caller.bookOrders.quote({ bookId, ...OPTIONS }), "NOT_FOUND");
      await expectTrpcError(u.caller.bookOrders.create({ bookId, ...OPTIONS, shippingAddress: ADDRESS }), "NOT_FOUND");
    }
    for (const u of [coOwner, contributor, viewer, outsider]) {
      await expectTrpcError(u.caller.bookOrders.get({ orderId: mine.orderId }), "NOT_FOUND");
      await expectTrpcError(u.caller.bookOrders.pay({ orderId: mine.orderId }), "NOT_FOUND");
      expect((await u.caller.bookOrders.list({ bookId })).map((o) => o.id)).not.toContain(mine.orderId);
    }
    expect((await owner.caller.bookOrders.list({ bookId })).map((o) => o.id)).toEqual([mine.orderId]);
    expect((await coOwner.caller.bookOrders.list({ bookId })).map((o) => o.id)).toEqual([theirs.orderId]);
    // The database holds it too: a contributor cannot insert an order row for the book, even as themselves.
    const row = await orderRow(mine.orderId);
    await expect(
      asUser(h.db, contributor.me.id, (tx) =>
        tx
          .insertInto("book_orders")
          .values({ ...row, id: undefined, order_number: "INK-0000-0001", user_id: contributor.me.id, payment_id: null } as never)
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
    // Nor may the buyer insert a paid or shipped order of their own.
    await expect(
      asUser(h.db, owner.me.id, (tx) =>
        tx
          .insertInto("book_orders")
          .values({ ...row, id: undefined, order_number: "INK-0000-0002", payment_id: null, tracking_number: "X1" } as never)
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
  });
});

describe("paying for an order", () => {
  it("pays in the sandbox: the webhook moves the order to processing once, and the book to ordered", async () => {
    const { owner, orderId, bookId } = await paidOrder("payer");
    const paid = await owner.caller.bookOrders.get({ orderId });
    expect(paid.status).toBe("processing");
    expect(paid.paidAt).toBeInstanceOf(Date);
    expect(await bookStatus(bookId)).toBe("ordered");
    await expectTrpcError(owner.caller.bookOrders.pay({ orderId }), "PRECONDITION_FAILED");
  });

  it("a replayed or out-of-order webhook never fulfils twice", async () => {
    const { orderId } = await paidOrder("replay");
    const before = await orderRow(orderId);
    const payment = await asSystem(h.db, (tx) =>
      tx
        .selectFrom("payments")
        .selectAll()
        .where("id", "=", before.payment_id as string)
        .executeTakeFirstOrThrow(),
    );
    const completed = stripe.events.filter(
      (e) => e.type === "checkout.session.completed" && e.body.includes(payment.stripe_session_id as string),
    );
    expect(completed).toHaveLength(1);
    // The same event delivered again (Stripe's resend), twice, and an older event after it.
    for (let i = 0; i < 2; i++) expect(await stripe.resend(completed[0]!.id)).toBe(200);
    await stripe.settled();
    const after = await orderRow(orderId);
    expect(after.status).toBe("processing");
    expect(after.paid_at).toEqual(before.paid_at);
    expect(after.updated_at).toEqual(before.updated_at);
    // A second, different payment for the same order (a checkout opened around the order's guard) is
    // paid: payments fulfils it, and the order's own guard delivers nothing a second time.
    const second = await payments.createCheckout(
      { db: h.db, payments: h.deps.payments ?? null, enqueue: h.deps.enqueue, log: quiet },
      payment.user_id,
      {
        kind: "book_order",
        referenceId: orderId,
        description: "Again",
        amountCents: payment.amount_cents,
        returnPath: "/orders",
      },
    );
    expect((await payOnPage(second.url, TEST_CARDS.succeeds)).status).toBe(303);
    const outcome = await until(
      () =>
        asSystem(h.db, (tx) =>
          tx.selectFrom("payments").selectAll().where("id", "=", second.paymentId).executeTakeFirstOrThrow(),
        ),
      (p) => p.status === "paid",
      "the second payment to be processed",
    );
    expect(outcome.outcome).toMatch(/already paid/);
    const last = await orderRow(orderId);
    expect(last.status).toBe("processing");
    expect(last.paid_at).toEqual(before.paid_at);
    expect(last.payment_id).toBe(before.payment_id);
  });

  it("a second checkout for one order is refused while the first can still be paid", async () => {
    const { owner, bookId } = await ownerWithBook("twice");
    const placed = await owner.caller.bookOrders.create({ bookId, ...OPTIONS, shippingAddress: ADDRESS });
    await expectTrpcError(owner.caller.bookOrders.pay({ orderId: placed.orderId }), "PRECONDITION_FAILED");
  });
});

describe("paying once", () => {
  it("two payment pages opened at once for one order: only one can be paid (no second charge)", async () => {
    const { owner, bookId } = await ownerWithBook("double-click");
    const placed = await owner.caller.bookOrders.create({ bookId, ...OPTIONS, shippingAddress: ADDRESS });
    const first = await orderRow(placed.orderId);
    const session = await asSystem(h.db, (tx) =>
      tx
        .selectFrom("payments")
        .select("stripe_session_id")
        .where("id", "=", first.payment_id as string)
        .executeTakeFirstOrThrow(),
    );
    // The first page expired; the buyer clicks "Pay" twice (two tabs, a double click).
    await h.deps.payments?.stripe.checkout.sessions.expire(session.stripe_session_id as string);
    await owner.caller.bookOrders.get({ orderId: placed.orderId });
    // Two requests at once (two API processes may serve them: called here side by side, past any per-caller queue).
    // Each call's checkout is held until both have asked for one (at most 3 s), so they truly overlap.
    const runtime = h.deps.payments as PaymentsRuntime;
    let asked = 0;
    const sessions = runtime.stripe.checkout.sessions;
    const gatedSessions = new Proxy(sessions, {
      get(target, key) {
        if (key === "create")
          return async (...args: Parameters<typeof sessions.create>) => {
            asked++;
            for (let i = 0; i < 30 && asked < 2; i++) await new Promise((r) => setTimeout(r, 100));
            return target.create(...args);
          };
        const value = Reflect.get(target, key);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const stripeGated = new Proxy(runtime.stripe, {
      get(target, key) {
        if (key === "checkout") return { ...target.checkout, sessions: gatedSessions };
        const value = Reflect.get(target, key);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const deps = { db: h.db, payments: { ...runtime, stripe: stripeGated }, enqueue: h.deps.enqueue, log: quiet };
    const both = await Promise.allSettled([
      bookOrders.pay(deps, owner.me.id, placed.orderId),
      bookOrders.pay(deps, owner.me.id, placed.orderId),
    ]);
    const opened = both.filter((r) => r.status === "fulfilled").map((r) => r.value);
    console.log(
      "DEBUG",
      both.map((r) => (r.status === "rejected" ? String(r.reason) : "ok")),
    );
    // One page is handed out, and it is the order's payment; the other call says so instead of a second page.
    expect(opened).toHaveLength(1);
    expect((await orderRow(placed.orderId)).payment_id).toBe(opened[0]?.paymentId);
    const refused = both.find((r) => r.status === "rejected");
    expect(String((refused as PromiseRejectedResult).reason?.code)).toMatch(/CONFLICT|PRECONDITION_FAILED/);
  });
});

describe("the state machine", () => {
  it("the database refuses every illegal status change and keeps what was sold", async () => {
    const { orderId } = await paidOrder("machine");
    const set = (change: Record<string, unknown>) =>
      asSystem(h.db, (tx) => tx.updateTable("book_orders").set(change).where("id", "=", orderId).execute());
    for (const status of ["pending", "shipped", "delivered", "bogus"])
      await expect(set({ status }), `processing → ${status}`).rejects.toThrow(/illegal order status change|check constraint/);
    await expect(set({ total_price: "0.01" })).rejects.toThrow(/cannot change/);
    await expect(set({ shipping_address: JSON.stringify({ ...ADDRESS, city: "Elsewhere" }) })).rejects.toThrow(/cannot change/);
    await set({ status: "printed" });
    await expect(set({ status: "processing" })).rejects.toThrow(/illegal/);
    await expect(set({ status: "cancelled" })).rejects.toThrow(/illegal/);
    await expect(set({ printed_at: new Date(0) })).rejects.toThrow(/step times/);
    await set({ status: "shipped" });
    await set({ status: "delivered" });
    for (const status of ["shipped", "cancelled", "pending"]) await expect(set({ status })).rejects.toThrow(/illegal/);
    const done = await orderRow(orderId);
    expect([done.paid_at, done.printed_at, done.shipped_at, done.delivered_at].every((t) => t instanceof Date)).toBe(true);
  });
});

describe("printing at the sandbox printer", () => {
  it("sends the paid order to the printer and follows it to the buyer's door", async () => {
    const { owner, orderId, bookId } = await paidOrder("printed");
    expect(await bookOrders.submitPrintJob(printDeps, orderId)).toBe("submitted");
    // Once only: a second run (a retry, the sweep) finds the job already there.
    expect(await bookOrders.submitPrintJob(printDeps, orderId)).toBe("skipped");
    const row = await orderRow(orderId);
    expect(row.print_vendor).toBe("sandbox");
    expect(Number(row.vendor_cost)).toBeGreaterThan(0);
    const job = printer.jobs.get(Number(row.print_job_id));
    expect(job?.externalId).toBe(row.order_number);
    expect(job?.lineItems[0]).toMatchObject({ quantity: 2, pageCount: 48, podPackageId: "0600X0900FCSTDPB060UW444GXX" });
    // The printer fetched both PDFs through our signed links (it rejects a job whose files are not PDFs).
    expect(printer.statusOf(job!.id)).toBe("CREATED");
    expect(job?.lineItems[0]?.interiorUrl).toMatch(/\/files\/[0-9a-f-]+\?exp=\d+&sig=/);

    expect(await bookOrders.pollPrintJob(printDeps, orderId)).toBe("waiting");
    expect((await owner.caller.bookOrders.get({ orderId })).status).toBe("processing");
    printer.advance(job!.id, 3); // PRODUCTION_READY, IN_PRODUCTION, SHIPPED
    expect(await bookOrders.pollPrintJob(printDeps, orderId)).toBe("waiting");
    const shipped = await owner.caller.bookOrders.get({ orderId });
    expect(shipped).toMatchObject({ status: "shipped", carrier: "Sandbox Post", sandboxPrinter: true });
    expect(shipped.trackingNumber).toMatch(/^SBX/);
    expect(shipped.trackingUrl).toBe(`${printer.url}/sandbox/track/${shipped.trackingNumber}`);
    expect(shipped.printedAt).toBeInstanceOf(Date);
    expect(shipped.shippedAt).toBeInstanceOf(Date);
    expect(shipped.estimatedDelivery).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    printer.advance(job!.id);
    expect(await bookOrders.pollPrintJob(printDeps, orderId)).toBe("finished");
    const delivered = await owner.caller.bookOrders.get({ orderId });
    expect(delivered.status).toBe("delivered");
    expect(delivered.deliveredAt).toBeInstanceOf(Date);
    expect(await bookStatus(bookId)).toBe("completed");
    expect(await bookOrders.pollPrintJob(printDeps, orderId)).toBe("skipped");
  });

  it("a job the printer rejects cancels the order with the printer's reason", async () => {
    const { owner, orderId } = await paidOrder("rejected");
    await bookOrders.submitPrintJob(printDeps, orderId);
    const row = await orderRow(orderId);
    printer.reject(Number(row.print_job_id), "Cover bleed is missing");
    expect(await bookOrders.pollPrintJob(printDeps, orderId)).toBe("finished");
    const order = await owner.caller.bookOrders.get({ orderId });
    expect(order.status).toBe("cancelled");
    expect(order.statusNote).toContain("Cover bleed is missing");
  });

  it("a print job the printer may have taken (its answer lost) is never sent again: one job, support reconciles", async () => {
    const { owner, orderId } = await paidOrder("lost-answer");
    const before = printer.jobs.size;
    printer.failAfterCreate(1, 502);
    expect(await bookOrders.submitPrintJob(printDeps, orderId)).toBe("interrupted");
    // A retry of the job, the sweep, the buyer's return visit: none sends it a second time.
    expect(await bookOrders.submitPrintJob(printDeps, orderId)).toBe("skipped");
    const swept: unknown[] = [];
    await bookOrders.sweepPrintJobs({
      db: h.db,
      enqueue: async (_tx, _job, data) => {
        swept.push(data);
      },
    });
    expect(swept).not.toContainEqual({ orderId });
    await owner.caller.bookOrders.get({ orderId });
    expect(await bookOrders.submitPrintJob(printDeps, orderId)).toBe("skipped");
    const row = await orderRow(orderId);
    expect([...printer.jobs.values()].filter((j) => j.externalId === row.order_number)).toHaveLength(1);
    expect(printer.jobs.size).toBe(before + 1);
    expect(row.submit_started_at).not.toBeNull();
    expect(row.status_note).toMatch(/support/);
  });

  it("a book redesigned between the order and its payment is not printed from files the buyer did not pay for", async () => {
    const { owner, bookId } = await ownerWithBook("redesigned");
    const placed = await owner.caller.bookOrders.create({ bookId, ...OPTIONS, shippingAddress: ADDRESS });
    // While the checkout is open the owner changes the design and approves a longer book (48 → 200 pages).
    await asSystem(h.db, (tx) => tx.updateTable("books").set({ page_count: 200 }).where("id", "=", bookId).execute());
    const other = await owner.caller.bookOrders.create({ bookId, ...OPTIONS, shippingAddress: ADDRESS });
    await expect(owner.caller.bookOrders.get({ orderId: other.orderId })).resolves.toMatchObject({
      totalCents: quoteOrder(200, OPTIONS).totalCents,
    });
    expect((await payOnPage(placed.url, TEST_CARDS.succeeds)).status).toBe(303);
    await until(
      () => orderRow(placed.orderId),
      (o) => o.status === "processing",
      "the order to be paid",
    );
    // Paid for 48 pages: the 200-page files are not sent; support is told, the buyer sees why.
    expect(await bookOrders.submitPrintJob(printDeps, placed.orderId)).toBe("refused");
    const row = await orderRow(placed.orderId);
    expect([...printer.jobs.values()].filter((j) => j.externalId === row.order_number)).toHaveLength(0);
    expect(row.status_note).toMatch(/changed/);
    expect(await bookOrders.submitPrintJob(printDeps, placed.orderId)).toBe("skipped");
    // Support refunds it: the order, never at the printer, is cancelled (not left "processing" for good).
    await payments.adminRefund(
      { db: h.db, payments: h.deps.payments ?? null, enqueue: h.deps.enqueue, log: quiet },
      { paymentId: row.payment_id as string, reason: "Book changed" },
    );
    const refunded = await until(
      () => orderRow(placed.orderId),
      (o) => o.status !== "processing",
      "the refund to reach the order",
    ).catch(() => orderRow(placed.orderId));
    expect(refunded.status).toBe("cancelled");
  });

  it("a paid order whose book went back to a draft is held, never printed from unapproved files", async () => {
    const { owner, bookId } = await ownerWithBook("back-to-draft");
    const placed = await owner.caller.bookOrders.create({ bookId, ...OPTIONS, shippingAddress: ADDRESS });
    await asSystem(h.db, (tx) => tx.updateTable("books").set({ status: "draft" }).where("id", "=", bookId).execute());
    expect((await payOnPage(placed.url, TEST_CARDS.succeeds)).status).toBe(303);
    await until(
      () => orderRow(placed.orderId),
      (o) => o.status === "processing",
      "the order to be paid",
    );
    expect(await bookOrders.submitPrintJob(printDeps, placed.orderId)).toBe("refused");
    const row = await orderRow(placed.orderId);
    expect(row.print_job_id).toBeNull();
    expect(row.status_note).toMatch(/changed/);
  });

  it("a printer that is down is retried later; nothing is half-sent", async () => {
    const { orderId } = await paidOrder("retry");
    printer.failNext(2, 503);
    await expect(bookOrders.submitPrintJob(printDeps, orderId)).rejects.toBeInstanceOf(PrintVendorError);
    const released = await orderRow(orderId);
    expect(released.submit_started_at).toBeNull();
    expect(released.print_job_id).toBeNull();
    // The sweep finds it again; then it goes through.
    const swept = await bookOrders.sweepPrintJobs({ db: h.db, enqueue: async () => {} });
    expect(swept.submitted).toBeGreaterThanOrEqual(1);
    printer.failNext(0);
    expect(await bookOrders.submitPrintJob(printDeps, orderId)).toBe("submitted");
  });
});
