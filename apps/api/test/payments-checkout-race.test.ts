/**
 * Checkouts started twice: a double click, two tabs, two requests at the same instant. One thing bought
 * is one payable page: the second request gets the first's page (a subscription, or the same credit
 * pack), another tier's subscription checkout replaces the open one (expired at Stripe, so both can never
 * be paid), and a subscription just paid but not yet arrived refuses another. Before this, each request
 * opened its own Checkout Session: paying both subscribed twice at Stripe, charged every month for a
 * second subscription the app ignored.
 */
import { type StripeSandbox, TEST_CARDS } from "@inkwell/domain/payments/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { expectTrpcError, type Harness } from "./harness.ts";
import { type PaymentsStack, payOnPage, sessionIdOf, startPaymentsStack, until } from "./payments-kit.ts";

let stack: PaymentsStack;
let h: Harness;
let sandbox: StripeSandbox;

beforeAll(async () => {
  stack = await startPaymentsStack();
  ({ h, sandbox } = stack);
});

afterAll(async () => {
  await stack?.stop();
});

type User = Awaited<ReturnType<Harness["signUp"]>>;

const paymentsOf = (u: User, kind: string) =>
  h.asSystem((tx) =>
    tx
      .selectFrom("payments")
      .select(["id", "status", "reference_id"])
      .where("user_id", "=", u.me.id)
      .where("kind", "=", kind)
      .orderBy("created_at")
      .execute(),
  );
/** The Checkout Sessions opened at the sandbox for the user's payments. */
const sessionsOf = async (u: User) => {
  const ids = new Set((await paymentsOf(u, "subscription")).concat(await paymentsOf(u, "credit_pack")).map((p) => p.id));
  return [...sandbox.sessions.values()].filter((s) => s.client_reference_id && ids.has(s.client_reference_id));
};
const subscriptionsCreatedAtStripe = (u: User) =>
  sandbox.events.filter((e) => e.type === "customer.subscription.created" && e.body.includes(u.me.id));

describe("checkouts started twice", () => {
  it("two subscribe requests at the same instant get one page: one payment, one subscription at Stripe", async () => {
    const u = await h.signUp("race-subscribe");
    const [a, b, c] = await Promise.all([
      u.caller.payments.subscribe({ tier: "pro" }),
      u.caller.payments.subscribe({ tier: "pro" }),
      u.caller.payments.subscribe({ tier: "pro" }),
    ]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(await paymentsOf(u, "subscription")).toHaveLength(1);
    expect(await sessionsOf(u)).toHaveLength(1);
    // Asked again later (the buyer backed out and clicked again): still the same page.
    expect(await u.caller.payments.subscribe({ tier: "pro" })).toEqual(a);

    expect((await payOnPage(a.url, TEST_CARDS.succeeds)).status).toBe(303);
    await until(
      () => u.caller.payments.billing(),
      (v) => v.tier === "pro" && v.subscription?.status === "active",
      "the subscription",
    );
    expect(subscriptionsCreatedAtStripe(u)).toHaveLength(1);
    await expectTrpcError(u.caller.payments.subscribe({ tier: "pro" }), "CONFLICT");
  });

  it("another tier's checkout replaces the open one: the old page can no longer be paid", async () => {
    const u = await h.signUp("race-switch");
    const basic = await u.caller.payments.subscribe({ tier: "basic" });
    const pro = await u.caller.payments.subscribe({ tier: "pro" });
    expect(pro.paymentId).not.toBe(basic.paymentId);
    expect(sandbox.sessions.get(sessionIdOf(basic.url))?.status).toBe("expired");
    const refused = await fetch(basic.url, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ card_number: TEST_CARDS.succeeds, card_expiry: "12 / 34", card_cvc: "123" }),
    });
    expect(refused.status).toBe(402);
    expect(await paymentsOf(u, "subscription")).toMatchObject([
      { id: basic.paymentId, status: "expired", reference_id: "basic" },
      { id: pro.paymentId, status: "pending", reference_id: "pro" },
    ]);
    expect((await payOnPage(pro.url, TEST_CARDS.succeeds)).status).toBe(303);
    await until(
      () => u.caller.payments.billing(),
      (v) => v.tier === "pro" && v.subscription?.status === "active",
      "the subscription",
    );
    expect(subscriptionsCreatedAtStripe(u)).toHaveLength(1);
  });

  it("another tier's checkout whose old page Stripe will not expire (being paid) is refused, never given the old tier's page", async () => {
    const u = await h.signUp("race-switch-refused");
    const basic = await u.caller.payments.subscribe({ tier: "basic" });
    const expire = vi
      .spyOn(stack.runtime.stripe.checkout.sessions, "expire")
      .mockRejectedValueOnce(new Error("This Checkout Session is being paid and cannot be expired."));
    try {
      const refused = await expectTrpcError(u.caller.payments.subscribe({ tier: "pro" }), "CONFLICT");
      expect(refused.message).toMatch(/other payment page/);
    } finally {
      expire.mockRestore();
    }
    expect(sandbox.sessions.get(sessionIdOf(basic.url))?.status).toBe("open");
    expect(await paymentsOf(u, "subscription")).toMatchObject([
      { id: basic.paymentId, status: "pending", reference_id: "basic" },
    ]);
  });

  it("a checkout Stripe opened without a page leaves nothing open: the next one starts at once", async () => {
    const u = await h.signUp("race-no-page");
    const create = stack.runtime.stripe.checkout.sessions.create.bind(stack.runtime.stripe.checkout.sessions);
    const spy = vi
      .spyOn(stack.runtime.stripe.checkout.sessions, "create")
      .mockImplementationOnce(async (...args: Parameters<typeof create>) => ({ ...(await create(...args)), url: null }));
    try {
      await expectTrpcError(u.caller.payments.subscribe({ tier: "pro" }), "BAD_GATEWAY");
    } finally {
      spy.mockRestore();
    }
    const started = Date.now();
    const next = await u.caller.payments.subscribe({ tier: "pro" });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await paymentsOf(u, "subscription")).toMatchObject([{ status: "expired" }, { id: next.paymentId, status: "pending" }]);
  });

  it("a subscription paid but not yet arrived from Stripe refuses another checkout", async () => {
    const u = await h.signUp("race-arriving");
    // What the app holds between checkout.session.completed and customer.subscription.created.
    await h.raw(sql`
      INSERT INTO payments (user_id, kind, reference_id, description, amount_cents, currency, status, paid_at)
      VALUES (${u.me.id}, 'subscription', 'pro', 'Inkwell Pro', 2900, 'usd', 'paid', now())`);
    const refused = await expectTrpcError(u.caller.payments.subscribe({ tier: "basic" }), "CONFLICT");
    expect(refused.message).toMatch(/just paid/);
    expect(await paymentsOf(u, "subscription")).toHaveLength(1);
  });

  it("the same credit pack bought twice at once gets one page; another pack, or the same one after paying, is a new purchase", async () => {
    const u = await h.signUp("race-pack");
    const [a, b] = await Promise.all([
      u.caller.payments.buyPack({ packId: "pack-5k" }),
      u.caller.payments.buyPack({ packId: "pack-5k" }),
    ]);
    expect(b).toEqual(a);
    const other = await u.caller.payments.buyPack({ packId: "pack-25k" });
    expect(other.url).not.toBe(a.url);
    expect(await sessionsOf(u)).toHaveLength(2);

    const before = (await u.caller.credits.balance()).available;
    expect((await payOnPage(a.url, TEST_CARDS.succeeds)).status).toBe(303);
    await until(
      () => u.caller.credits.balance(),
      (v) => v.available === before + 5_000,
      "the pack's credits",
    );
    const again = await u.caller.payments.buyPack({ packId: "pack-5k" });
    expect(again.paymentId).not.toBe(a.paymentId);
    expect((await payOnPage(again.url, TEST_CARDS.succeeds)).status).toBe(303);
    await until(
      () => u.caller.credits.balance(),
      (v) => v.available === before + 10_000,
      "the second pack's credits",
    );
  });
});
