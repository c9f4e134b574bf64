/**
 * Subscriptions end to end against the local Stripe sandbox: the real SDK, the real webhook route on a
 * real socket, the fulfilment job worked by pg-boss, and the sandbox's test clock for renewals. A
 * renewal grants the tier's monthly credits exactly once per billing period whatever Stripe replays or
 * reorders; upgrade tops the period's credits up, downgrade refunds nothing; cancel at period end and a
 * failed renewal past its grace period make the account free; nobody sees or touches another's plan.
 */
import { asUser } from "@inkwell/db";
import { credits } from "@inkwell/domain/credits";
import { type PaymentsRuntime, subscriptions } from "@inkwell/domain/payments";
import { type StripeSandbox, signStripePayload, TEST_CARDS } from "@inkwell/domain/payments/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness } from "./harness.ts";
import { type PaymentsStack, payOnPage, startPaymentsStack, until } from "./payments-kit.ts";

let stack: PaymentsStack;
let h: Harness;
let sandbox: StripeSandbox;
let runtime: PaymentsRuntime;
let webhookUrl: string;

beforeAll(async () => {
  stack = await startPaymentsStack({ sandboxControl: true });
  ({ h, sandbox, runtime, webhookUrl } = stack);
});

afterAll(async () => {
  await stack?.stop();
});

type User = Awaited<ReturnType<Harness["signUp"]>>;
const balanceOf = async (u: User) => (await u.caller.credits.balance()).available;
const billingOf = (u: User) => u.caller.payments.billing();
const stripeIdOf = async (u: User) =>
  (
    await h.asSystem((tx) =>
      tx
        .selectFrom("subscriptions")
        .select("stripe_subscription_id")
        .where("user_id", "=", u.me.id)
        .where("status", "<>", "canceled")
        .executeTakeFirstOrThrow(),
    )
  ).stripe_subscription_id;
const subscriptionGrants = (u: User) =>
  h.asSystem((tx) =>
    tx
      .selectFrom("credit_grants")
      .select(["amount", "idempotency_key", "expires_at"])
      .where("user_id", "=", u.me.id)
      .where("idempotency_key", "like", "subscription:%")
      .orderBy("created_at")
      .execute(),
  );
const storedEvent = (id: string) =>
  h.asSystem((tx) =>
    tx.selectFrom("payment_events").select(["id", "processed_at", "result"]).where("id", "=", id).executeTakeFirst(),
  );
const eventsAbout = (stripeId: string) => sandbox.events.filter((e) => e.body.includes(stripeId));
const processed = (id: string) =>
  until(
    () => storedEvent(id),
    (e) => Boolean(e?.processed_at),
    `event ${id} to be processed`,
  );

/** Posts a signed event with a new id (Stripe sending another event about the same object). */
async function postEvent(id: string, type: string, object: unknown, created = Math.floor(Date.now() / 1000)) {
  const body = JSON.stringify({ id, object: "event", type, created, data: { object } });
  const res = await fetch(webhookUrl, {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": signStripePayload(body, sandbox.webhookSecret) },
    body,
  });
  expect(res.status).toBe(200);
  return processed(id);
}

/** Signs up, subscribes to `tier` in the sandbox and waits until the plan is active. */
async function subscribed(tag: string, tier: "basic" | "pro" | "enterprise") {
  const u = await h.signUp(tag);
  const { url } = await u.caller.payments.subscribe({ tier });
  expect((await payOnPage(url, TEST_CARDS.succeeds)).status).toBe(303);
  await until(
    () => billingOf(u),
    (b) => b.tier === tier && b.subscription?.status === "active" && b.invoices.length === 1,
    "the subscription to be active",
  );
  return { u, stripeId: await stripeIdOf(u) };
}

describe("subscribing", () => {
  it("lists the plans with each tier's monthly credits", async () => {
    const r = await h.anon().payments.plans();
    expect(r.available).toBe(true);
    expect(r.sandbox).toBe(true);
    expect(r.plans.map((p) => [p.tier, p.monthlyCredits])).toEqual([
      ["basic", 5_000],
      ["pro", 20_000],
      ["enterprise", 100_000],
    ]);
  });

  it("checkout in subscription mode: the first invoice grants the tier's credits once, identity holds the plan until the period's end", async () => {
    const u = await h.signUp("subscriber");
    expect(await billingOf(u)).toMatchObject({ tier: "free", tierExpiresAt: null, subscription: null, invoices: [] });
    const { url } = await u.caller.payments.subscribe({ tier: "pro" });
    const page = await (await fetch(url)).text();
    expect(page).toContain("Inkwell Pro (monthly)");
    expect(page).toContain("Pay 29.00 USD");
    expect((await payOnPage(url, TEST_CARDS.succeeds)).status).toBe(303);

    await until(
      () => balanceOf(u),
      (b) => b === 25_000,
      "the first month's credits",
    );
    const billing = await until(
      () => billingOf(u),
      (b) => b.subscription?.status === "active",
      "the plan",
    );
    expect(billing.tier).toBe("pro");
    expect(billing.subscription?.tier).toBe("pro");
    const end = billing.subscription?.currentPeriodEnd as Date;
    expect(end.getTime() - Date.now()).toBeGreaterThan(27 * 24 * 3600 * 1000);
    expect(billing.tierExpiresAt?.getTime()).toBe(end.getTime());
    expect(billing.invoices).toMatchObject([
      { status: "paid", billingReason: "subscription_create", amountCents: 2_900, outcome: "Added 20,000 credits" },
    ]);
    const me = await u.caller.auth.me();
    expect(me?.subscriptionTier).toBe("pro");
    // The month's credits expire when the period ends (the next renewal brings the next month's).
    const [grant] = await subscriptionGrants(u);
    expect(grant?.expires_at?.getTime()).toBe(end.getTime());

    // Stripe re-sends the invoice event, and sends another event about the same invoice: nothing more.
    const stripeId = await stripeIdOf(u);
    const paid = eventsAbout(stripeId).find((e) => e.type === "invoice.paid");
    expect(await sandbox.resend(paid?.id as string)).toBe(200);
    const again = await postEvent(`evt_test_again_${stripeId}`, "invoice.paid", JSON.parse(paid?.body as string).data.object);
    expect(again?.result).toBe("paid: Paid; the period's 20,000 credits were already added");
    expect(await balanceOf(u)).toBe(25_000);
    expect(await subscriptionGrants(u)).toHaveLength(1);

    // One live subscription at a time.
    await expectTrpcError(u.caller.payments.subscribe({ tier: "basic" }), "CONFLICT");
  });

  it("a new subscription's first events applied at the same time (created, first invoice paid) both apply: the first month's credits are granted", async () => {
    const u = await h.signUp("events-at-once");
    // Stripe sends customer.subscription.created and invoice.paid together; two fulfilment jobs apply them at once.
    sandbox.setWebhookUrl(null);
    try {
      const { url } = await u.caller.payments.subscribe({ tier: "basic" });
      expect((await payOnPage(url, TEST_CARDS.succeeds)).status).toBe(303);
      await sandbox.settled();
    } finally {
      sandbox.setWebhookUrl(webhookUrl);
    }
    const eventOf = (type: string) => {
      const e = sandbox.events.find((x) => x.type === type && x.body.includes(u.me.id));
      if (!e) throw new Error(`no ${type} for the user`);
      return JSON.parse(e.body) as Parameters<typeof subscriptions.applySubscriptionEvent>[1];
    };
    const created = eventOf("customer.subscription.created");
    const paid = eventOf("invoice.paid");
    let applied!: () => void;
    const firstApplied = new Promise<void>((r) => {
      applied = r;
    });
    let commit!: () => void;
    const committing = new Promise<void>((r) => {
      commit = r;
    });
    // The first holds its transaction open after inserting the row; the second starts meanwhile.
    const first = h.asSystem(async (tx) => {
      const r = await subscriptions.applySubscriptionEvent(tx, created);
      applied();
      await committing;
      return r;
    });
    await firstApplied;
    const second = h.asSystem((tx) => subscriptions.applySubscriptionEvent(tx, paid));
    await new Promise((r) => setTimeout(r, 300));
    commit();
    const [a, b] = await Promise.allSettled([first, second]);
    expect(a.status).toBe("fulfilled");
    expect(b.status === "fulfilled" ? b.value?.result : String(b.reason)).toMatch(/^paid: Added/);
    expect((await subscriptionGrants(u)).map((g) => g.amount)).toHaveLength(1);
    expect((await billingOf(u)).invoices).toHaveLength(1);
  });

  it("the monthly grant job leaves subscribers to their renewals and still grants free accounts", async () => {
    const { u } = await subscribed("monthly-job", "basic");
    const free = await h.signUp("monthly-free");
    const before = await balanceOf(u);
    // Only these two: the run's other files share this database, and their balances are theirs to assert.
    await credits.grantMonthly(h.db, new Date(), { only: [u.me.id, free.me.id] });
    expect(await balanceOf(u)).toBe(before);
    expect(await balanceOf(free)).toBe(5_500);
  });
});

describe("renewals", () => {
  it("each period's credits are granted exactly once, even with the events replayed and delivered newest first", async () => {
    const { u, stripeId } = await subscribed("renewals", "pro");
    expect(await balanceOf(u)).toBe(25_000);
    const seen = new Set(eventsAbout(stripeId).map((e) => e.id));
    // Two renewals while our endpoint is away: Stripe keeps the events.
    sandbox.setWebhookUrl(null);
    try {
      sandbox.advance(stripeId);
      sandbox.advance(stripeId);
      await sandbox.settled();
    } finally {
      sandbox.setWebhookUrl(webhookUrl);
    }
    const missed = eventsAbout(stripeId).filter((e) => !seen.has(e.id));
    expect(missed.map((e) => e.type)).toEqual([
      "invoice.paid",
      "customer.subscription.updated",
      "invoice.paid",
      "customer.subscription.updated",
    ]);
    // Delivered newest first, each twice.
    for (const e of [...missed].reverse()) {
      expect(await sandbox.resend(e.id)).toBe(200);
      expect(await sandbox.resend(e.id)).toBe(200);
      await processed(e.id);
    }
    expect(await balanceOf(u)).toBe(65_000);
    const grants = await subscriptionGrants(u);
    expect(grants.map((g) => g.amount)).toEqual([20_000, 20_000, 20_000]);
    expect(new Set(grants.map((g) => g.idempotency_key)).size).toBe(3);
    // The older snapshot arrived last and did not move the period back.
    const last = await storedEvent(missed[1]?.id as string);
    expect(last?.result).toBe("ignored: older than the state applied");
    const billing = await billingOf(u);
    const live = sandbox.billing.find(stripeId);
    expect(billing.subscription?.currentPeriodEnd?.getTime()).toBe(live.item.end * 1000);
    expect(billing.tierExpiresAt?.getTime()).toBe(live.item.end * 1000);
    expect(billing.invoices.filter((i) => i.billingReason === "subscription_cycle")).toHaveLength(2);
  });

  it("the sandbox clock is reachable from the billing page's procedures", async () => {
    const { u } = await subscribed("renew-now", "basic");
    await u.caller.payments.sandboxRenewNow();
    await until(
      () => balanceOf(u),
      (b) => b === 15_000,
      "the renewal's credits",
    );
  });
});

describe("changing plan", () => {
  it("upgrade charges the prorated difference and tops up the month's credits; downgrade refunds nothing and the next renewal grants the lower tier", async () => {
    const { u, stripeId } = await subscribed("upgrade", "basic");
    expect(await balanceOf(u)).toBe(10_000);

    expect(await u.caller.payments.changePlan({ tier: "pro" })).toEqual({ tier: "pro", upgrade: true });
    // Stripe's answer is applied at once; the proration invoice's credits follow through the webhook.
    expect((await billingOf(u)).tier).toBe("pro");
    await until(
      () => balanceOf(u),
      (b) => b === 25_000,
      "the upgrade's credits",
    );
    const upgraded = await billingOf(u);
    const proration = upgraded.invoices.find((i) => i.billingReason === "subscription_update");
    expect(proration).toMatchObject({ status: "paid", tier: "pro", outcome: "Upgraded to Pro; added 15,000 credits" });
    expect(proration?.amountCents).toBeGreaterThan(1_900);
    expect(proration?.amountCents).toBeLessThanOrEqual(2_000);

    // The same tier again is refused; a downgrade is at once, with nothing refunded or taken back.
    await expectTrpcError(u.caller.payments.changePlan({ tier: "pro" }), "PRECONDITION_FAILED");
    expect(await u.caller.payments.changePlan({ tier: "basic" })).toEqual({ tier: "basic", upgrade: false });
    expect((await billingOf(u)).tier).toBe("basic");
    await sandbox.settled();
    expect(await balanceOf(u)).toBe(25_000);
    expect((await billingOf(u)).invoices).toHaveLength(2);

    sandbox.advance(stripeId);
    await until(
      () => balanceOf(u),
      (b) => b === 30_000,
      "the renewal at the lower tier",
    );
    const grants = await subscriptionGrants(u);
    expect(grants.map((g) => g.amount)).toEqual([5_000, 15_000, 5_000]);
  });
});

describe("ending", () => {
  it("cancel at period end keeps the tier until the period ends, resume undoes it, and at the end the account is free", async () => {
    const { u, stripeId } = await subscribed("cancel", "basic");
    await u.caller.payments.cancelSubscription();
    let billing = await billingOf(u);
    expect(billing.subscription).toMatchObject({ status: "active", cancelAtPeriodEnd: true });
    expect(billing.tier).toBe("basic");
    await u.caller.payments.resumeSubscription();
    expect((await billingOf(u)).subscription?.cancelAtPeriodEnd).toBe(false);
    await u.caller.payments.cancelSubscription();

    sandbox.advance(stripeId);
    // The billing read is two statements (plan, then subscription) at read committed: one may see the
    // subscription canceled but the plan of just before that commit, so wait for both.
    billing = await until(
      () => billingOf(u),
      (b) => b.subscription?.status === "canceled" && b.tier === "free",
      "the subscription to end",
    );
    expect(billing).toMatchObject({ tier: "free", tierExpiresAt: null });
    expect(await balanceOf(u)).toBe(10_000);
    expect(await subscriptionGrants(u)).toHaveLength(1);
    // An ended subscription stays ended, whatever arrives late.
    const updated = eventsAbout(stripeId).find((e) => e.type === "customer.subscription.updated");
    const late = await postEvent(
      `evt_test_late_${stripeId}`,
      "customer.subscription.updated",
      JSON.parse(updated?.body as string).data.object,
    );
    expect(late?.result).toBe("ignored: the subscription has ended");
    expect((await billingOf(u)).tier).toBe("free");
    // And they may subscribe again.
    expect((await u.caller.payments.subscribe({ tier: "pro" })).url).toContain("/checkout/pay/");
  });

  it("a failed renewal keeps the tier through the grace period, then the account is free", async () => {
    const { u, stripeId } = await subscribed("grace", "pro");
    await u.caller.payments.sandboxFailNextRenewal({ fail: true });
    await u.caller.payments.sandboxRenewNow();
    // As above: the plan and the subscription are read by separate statements, and the failed invoice
    // arrives as its own event, so wait until all three show the failed renewal.
    const billing = await until(
      () => billingOf(u),
      (b) =>
        b.subscription?.status === "past_due" &&
        b.invoices[0]?.status === "failed" &&
        b.tierExpiresAt?.getTime() === b.subscription.graceUntil?.getTime(),
      "the failed renewal",
    );
    const grace = billing.subscription?.graceUntil as Date;
    expect(grace.getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000);
    expect(billing.tier).toBe("pro");
    expect(billing.tierExpiresAt?.getTime()).toBe(grace.getTime());
    expect(billing.invoices[0]).toMatchObject({ status: "failed", billingReason: "subscription_cycle" });
    expect(billing.invoices[0]?.outcome).toMatch(/^Payment failed; Pro is kept until \d{4}-\d\d-\d\d, then the account is free$/);
    await expectTrpcError(u.caller.payments.changePlan({ tier: "enterprise" }), "PRECONDITION_FAILED");
    // Nothing granted for the unpaid period.
    expect(await balanceOf(u)).toBe(25_000);

    // The hourly sweep, a day after the grace period ended: free. Before it, nothing changes.
    expect(await subscriptions.endLapsedGrace(h.db, new Date(grace.getTime() - 60_000))).toBe(0);
    expect((await billingOf(u)).tier).toBe("pro");
    expect(await subscriptions.endLapsedGrace(h.db, new Date(grace.getTime() + 24 * 3600 * 1000))).toBe(1);
    expect(await billingOf(u)).toMatchObject({ tier: "free", tierExpiresAt: null });

    // Stripe's last retry fails too: the subscription is canceled.
    await u.caller.payments.sandboxRenewNow();
    await until(
      () => billingOf(u),
      (b) => b.subscription?.status === "canceled",
      "the subscription to be canceled",
    );
    expect((await billingOf(u)).tier).toBe("free");
    expect(await balanceOf(u)).toBe(25_000);
    expect(sandbox.billing.find(stripeId).status).toBe("canceled");
  });

  it("a failed renewal paid on Stripe's retry restores the plan and grants the period once; a late failure event changes nothing", async () => {
    const { u, stripeId } = await subscribed("retry-paid", "basic");
    sandbox.failNextRenewal(stripeId);
    sandbox.advance(stripeId);
    await until(
      () => billingOf(u),
      (b) => b.subscription?.status === "past_due",
      "the failed renewal",
    );
    const failed = eventsAbout(stripeId).find((e) => e.type === "invoice.payment_failed");
    sandbox.failNextRenewal(stripeId, false);
    sandbox.advance(stripeId);
    // The subscription's update and the paid invoice are separate events, fulfilled in either order:
    // wait for both (the fresh-clone run read the page between them).
    const billing = await until(
      () => billingOf(u),
      (b) => b.subscription?.status === "active" && b.invoices[0]?.status === "paid",
      "the retry to be paid",
    );
    expect(billing.subscription?.graceUntil).toBeNull();
    expect(billing.tier).toBe("basic");
    expect(billing.tierExpiresAt?.getTime()).toBe(billing.subscription?.currentPeriodEnd?.getTime());
    await until(
      () => balanceOf(u),
      (b) => b === 15_000,
      "the period's credits",
    );
    expect(billing.invoices[0]).toMatchObject({ status: "paid", billingReason: "subscription_cycle" });

    const late = await postEvent(
      `evt_test_latefail_${stripeId}`,
      "invoice.payment_failed",
      JSON.parse(failed?.body as string).data.object,
    );
    expect(late?.result).toBe("ignored: the invoice is already paid");
    expect(await billingOf(u)).toMatchObject({ tier: "basic", subscription: { status: "active" } });
    expect(await balanceOf(u)).toBe(15_000);
  });
});

describe("subscriptions belong to their user", () => {
  it("another user neither sees nor changes someone's subscription or invoices, and no user writes them", async () => {
    const { u: a, stripeId } = await subscribed("owner", "pro");
    const b = await h.signUp("other");
    expect(await billingOf(b)).toMatchObject({ tier: "free", subscription: null, invoices: [] });
    await expectTrpcError(b.caller.payments.cancelSubscription(), "PRECONDITION_FAILED");
    await expectTrpcError(b.caller.payments.changePlan({ tier: "basic" }), "PRECONDITION_FAILED");
    await expectTrpcError(b.caller.payments.sandboxRenewNow(), "PRECONDITION_FAILED");
    expect(sandbox.billing.find(stripeId).cancel_at_period_end).toBe(false);
    expect((await billingOf(a)).subscription?.status).toBe("active");

    // The database itself: B reads none of A's rows; A reads theirs but writes none.
    expect(await asUser(h.db, b.me.id, (tx) => tx.selectFrom("subscriptions").select("id").execute())).toEqual([]);
    expect(await asUser(h.db, b.me.id, (tx) => tx.selectFrom("subscription_invoices").select("id").execute())).toEqual([]);
    expect(await asUser(h.db, a.me.id, (tx) => tx.selectFrom("subscriptions").select("id").execute())).toHaveLength(1);
    await expect(
      asUser(h.db, a.me.id, (tx) =>
        tx.updateTable("subscriptions").set({ tier: "enterprise" }).where("user_id", "=", a.me.id).execute(),
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      asUser(h.db, b.me.id, (tx) =>
        tx
          .insertInto("subscriptions")
          .values({ user_id: b.me.id, stripe_subscription_id: "sub_forged", tier: "enterprise", status: "active" })
          .execute(),
      ),
    ).rejects.toThrow(/permission denied/);
    // Nor can a user give themselves a tier.
    await expect(
      asUser(h.db, b.me.id, (tx) =>
        tx.updateTable("users").set({ subscription_tier: "pro" }).where("id", "=", b.me.id).execute(),
      ),
    ).rejects.toThrow(/permission denied/);
  });

  it("an event for a subscription that names no user of ours changes nothing", async () => {
    const { u, stripeId } = await subscribed("foreign", "basic");
    const updated = eventsAbout(stripeId).find((e) => e.type === "customer.subscription.created");
    const foreign = { ...JSON.parse(updated?.body as string).data.object, id: "sub_test_foreign", metadata: {} };
    const r = await postEvent("evt_test_foreign_sub", "customer.subscription.updated", foreign);
    expect(r?.result).toBe("ignored: not one of our subscriptions");
    expect((await billingOf(u)).subscription?.tier).toBe("basic");
  });
});

describe("review: money defects", () => {
  /** A real first invoice (and subscription) from the sandbox, re-addressed to `sub` and `user`. */
  async function firstInvoiceFor(userId: string, sub: string, inv: string) {
    const { stripeId } = await subscribed(`tmpl-${inv}`, "pro");
    const paid = eventsAbout(stripeId).find((e) => e.type === "invoice.paid");
    const created = eventsAbout(stripeId).find((e) => e.type === "customer.subscription.created");
    const invoice = JSON.parse(paid?.body as string).data.object;
    invoice.id = inv;
    invoice.billing_reason = "subscription_create";
    invoice.parent.subscription_details = { subscription: sub, metadata: { user_id: userId, tier: "pro" } };
    const subscription = { ...JSON.parse(created?.body as string).data.object, id: sub, status: "incomplete" };
    subscription.metadata = { user_id: userId, tier: "pro" };
    return { invoice, subscription };
  }

  it("a first invoice that fails does not give the paid tier (no grace period for a subscription never paid)", async () => {
    // The failure arrives after the (incomplete) subscription…
    const v = await h.signUp("first-fails");
    const a = await firstInvoiceFor(v.me.id, "sub_test_first_fails", "in_test_first_fails");
    await postEvent("evt_test_ff_created", "customer.subscription.created", a.subscription);
    await postEvent("evt_test_ff_failed", "invoice.payment_failed", a.invoice);
    expect(await billingOf(v)).toMatchObject({ tier: "free", tierExpiresAt: null });
    expect((await billingOf(v)).subscription?.status).toBe("incomplete");
    // …or before it.
    const w = await h.signUp("first-fails-early");
    const b = await firstInvoiceFor(w.me.id, "sub_test_first_fails_early", "in_test_first_fails_early");
    await postEvent("evt_test_ffe_failed", "invoice.payment_failed", b.invoice);
    await postEvent("evt_test_ffe_created", "customer.subscription.created", b.subscription);
    expect(await billingOf(w)).toMatchObject({ tier: "free", tierExpiresAt: null });
    const before = await balanceOf(w);
    // Paid on a later attempt: now the plan and the month's credits.
    await postEvent("evt_test_ffe_paid", "invoice.paid", b.invoice);
    expect(await billingOf(w)).toMatchObject({ tier: "pro", subscription: { status: "active" } });
    const pro = (await h.anon().payments.plans()).plans.find((p) => p.tier === "pro");
    expect(await balanceOf(w)).toBe(before + (pro?.monthlyCredits ?? 0));
  });

  it("an upgrade whose prorated charge is declined changes nothing at Stripe or here (no higher tier without paying)", async () => {
    const { u, stripeId } = await subscribed("upgrade-declined", "basic");
    const before = await balanceOf(u);
    sandbox.failNextRenewal(stripeId);
    await expectTrpcError(u.caller.payments.changePlan({ tier: "enterprise" }), "PRECONDITION_FAILED");
    await sandbox.settled();
    expect(sandbox.billing.find(stripeId)).toMatchObject({ status: "active", metadata: { tier: "basic" } });
    expect(sandbox.billing.find(stripeId).item.price.lookup_key).toBe("inkwell_basic_monthly");
    expect(await billingOf(u)).toMatchObject({ tier: "basic", subscription: { status: "active", tier: "basic" } });
    expect(await balanceOf(u)).toBe(before);
    // Were Stripe to report the refused change's charge as failed, the paid subscription stays in good standing.
    const first = eventsAbout(stripeId).find((e) => e.type === "invoice.paid");
    const invoice = JSON.parse(first?.body as string).data.object;
    const failedProration = {
      ...invoice,
      id: `in_test_proration_${stripeId}`,
      billing_reason: "subscription_update",
      amount_paid: 0,
      lines: {
        ...invoice.lines,
        data: [
          {
            ...invoice.lines.data[0],
            period: { ...invoice.lines.data[0].period, start: invoice.lines.data[0].period.start + 60 },
          },
        ],
      },
    };
    const r = await postEvent(`evt_test_proration_failed_${stripeId}`, "invoice.payment_failed", failedProration);
    expect(r?.result).toBe("recorded: the plan change's charge failed");
    expect(await billingOf(u)).toMatchObject({ tier: "basic", subscription: { status: "active", graceUntil: null } });
    // The card fixed, the upgrade goes through and is topped up.
    sandbox.failNextRenewal(stripeId, false);
    await u.caller.payments.changePlan({ tier: "enterprise" });
    await until(
      () => balanceOf(u),
      (b) => b > before,
      "the upgrade's credits",
    );
    expect((await billingOf(u)).tier).toBe("enterprise");
  });

  it("an upgrade near the period's end tops up only the part of the month left, as it is charged", async () => {
    const { u, stripeId } = await subscribed("upgrade-late", "basic");
    const before = await balanceOf(u);
    // The sandbox's clock a day before the renewal.
    const sub = sandbox.billing.find(stripeId);
    sub.clock = sub.item.end - 24 * 3600;
    const share = (sub.item.end - sub.clock) / (sub.item.end - sub.item.start);
    await u.caller.payments.changePlan({ tier: "enterprise" });
    const { plans } = await h.anon().payments.plans();
    const credits = (t: string) => plans.find((p) => p.tier === t)?.monthlyCredits ?? 0;
    const expected = Math.round((credits("enterprise") - credits("basic")) * share);
    await until(
      () => balanceOf(u),
      (b) => b > before,
      "the upgrade's credits",
    );
    await sandbox.settled();
    expect(await balanceOf(u)).toBe(before + expected);
    expect(expected).toBeLessThan((credits("enterprise") - credits("basic")) / 20);
  });

  it("the grace sweep reaches every lapsed subscription, however many lapsed ones are already free", async () => {
    const now = new Date();
    // 200 subscriptions long past their grace period whose accounts are already free (Stripe left them
    // 'unpaid', which stays past due here), older than the one that lapses now.
    await h.asSystem(async (tx) => {
      const users = await tx
        .insertInto("users")
        .columns(["email", "password_hash"])
        .expression((eb) =>
          eb
            .selectFrom(sql<{ i: number }>`generate_series(1, 200)`.as("g"))
            .select([sql<string>`'lapsed-' || g || '@review.test'`.as("email"), sql<string>`'x'`.as("password_hash")]),
        )
        .returning("id")
        .execute();
      await tx
        .insertInto("subscriptions")
        .values(
          users.map((u, i) => ({
            user_id: u.id,
            stripe_subscription_id: `sub_test_lapsed_${i}`,
            tier: "pro",
            status: "past_due",
            grace_until: new Date(now.getTime() - 90 * 24 * 3600 * 1000 + i * 1000),
          })),
        )
        .execute();
    });
    const { u, stripeId } = await subscribed("grace-starved", "pro");
    sandbox.failNextRenewal(stripeId);
    sandbox.advance(stripeId);
    const grace = (
      await until(
        () => billingOf(u),
        (b) => b.subscription?.status === "past_due",
        "the failed renewal",
      )
    ).subscription?.graceUntil as Date;
    const later = new Date(grace.getTime() + 3600 * 1000);
    await subscriptions.endLapsedGrace(h.db, later);
    expect(await billingOf(u)).toMatchObject({ tier: "free", tierExpiresAt: null });
  });

  it("deleting the account ends its subscription at Stripe at once (a deleted account is never charged again)", async () => {
    const { u, stripeId } = await subscribed("leaving", "pro");
    await expectTrpcError(u.caller.account.delete({ password: "not the password" }), "BAD_REQUEST");
    expect((await runtime.stripe.subscriptions.retrieve(stripeId)).status).toBe("active");

    await u.caller.account.delete({ password: u.password });
    expect((await runtime.stripe.subscriptions.retrieve(stripeId)).status).toBe("canceled");
    // Stripe told us once, as it would: the subscription ended with the account.
    expect(sandbox.events.filter((e) => e.type === "customer.subscription.deleted" && e.body.includes(stripeId))).toHaveLength(1);
  });
});
