/**
 * Payments end to end against the local Stripe sandbox, through the real SDK, the real webhook route
 * on a real socket (the sandbox delivers signed events over HTTP, with retries) and the fulfilment job
 * worked by pg-boss: a paid credit pack is granted exactly once whatever Stripe replays or reorders, a
 * forged event changes nothing, a declined card buys nothing, a refund takes the unspent credits back,
 * and nobody sees or touches another user's payments.
 */
import { asUser } from "@inkwell/db";
import { credits } from "@inkwell/domain/credits";
import { type PaymentsRuntime, payments } from "@inkwell/domain/payments";
import { type StripeSandbox, signStripePayload, TEST_CARDS } from "@inkwell/domain/payments/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness } from "./harness.ts";
import { type PaymentsStack, payOnPage, sessionIdOf, startPaymentsStack, until } from "./payments-kit.ts";

let stack: PaymentsStack;
let h: Harness;
let sandbox: StripeSandbox;
let runtime: PaymentsRuntime;
let webhookUrl: string;

const quiet = { info() {}, warn() {}, error: (o: object, m?: string) => console.error(m, o) };

beforeAll(async () => {
  stack = await startPaymentsStack({ sandboxControl: false });
  ({ h, sandbox, runtime, webhookUrl } = stack);
});

afterAll(async () => {
  await stack?.stop();
});

const balanceOf = async (u: { caller: Harness["anon"] extends () => infer C ? C : never }) =>
  (await u.caller.credits.balance()).available;
const eventsOf = (sessionId: string) =>
  sandbox.events.filter((e) => (JSON.parse(e.body) as { data: { object: { id: string } } }).data.object.id === sessionId);
const storedEvent = (id: string) =>
  h.asSystem((tx) =>
    tx.selectFrom("payment_events").select(["id", "processed_at", "result"]).where("id", "=", id).executeTakeFirst(),
  );
const paymentRow = (id: string) =>
  h.asSystem((tx) => tx.selectFrom("payments").selectAll().where("id", "=", id).executeTakeFirstOrThrow());

async function paidPack(tag: string) {
  const u = await h.signUp(tag);
  const { paymentId, url } = await u.caller.payments.buyPack({ packId: "pack-5k" });
  const res = await payOnPage(url, TEST_CARDS.succeeds);
  expect(res.status).toBe(303);
  await until(
    () => paymentRow(paymentId),
    (p) => p.status === "paid",
    "the payment to be fulfilled",
  );
  return { u, paymentId, sessionId: sessionIdOf(url) };
}

describe("credit packs through Stripe Checkout", () => {
  it("lists the packs and says payments are available", async () => {
    const r = await h.anon().payments.packs();
    expect(r.available).toBe(true);
    expect(r.packs.map((p) => p.credits)).toEqual([5_000, 25_000, 100_000]);
  });

  it("pays in the sandbox, the signed webhook grants the pack once, and the buyer sees it", async () => {
    const u = await h.signUp("buyer");
    expect(await balanceOf(u)).toBe(5_000);
    const { paymentId, url } = await u.caller.payments.buyPack({ packId: "pack-5k" });
    expect(url.startsWith(`${sandbox.url}/checkout/pay/`)).toBe(true);
    expect(await (await fetch(url)).text()).toContain("Pay 5.00 USD");

    const res = await payOnPage(url, TEST_CARDS.succeeds);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${runtime.appUrl}/credits?payment=${paymentId}`);
    await until(
      () => balanceOf(u),
      (b) => b === 10_000,
      "the purchase to be granted",
    );

    const [completed] = eventsOf(sessionIdOf(url));
    expect(completed?.type).toBe("checkout.session.completed");
    expect(completed?.attempts).toEqual([200]);
    expect(await storedEvent(completed?.id as string)).toMatchObject({ result: "fulfilled" });
    const payment = await u.caller.payments.get({ paymentId });
    expect(payment).toMatchObject({ status: "paid", credits: 5_000, outcome: "Added 5,000 credits" });
    const history = await u.caller.credits.history({ limit: 10 });
    expect(history[0]).toMatchObject({ type: "grant", state: "added", amount: 5_000, note: "Starter pack: 5,000 credits" });

    // Stripe delivers the same event again (a retry after a lost answer, a manual resend): acknowledged, nothing added.
    expect(await sandbox.resend(completed?.id as string)).toBe(200);
    expect(await sandbox.resend(completed?.id as string)).toBe(200);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await balanceOf(u)).toBe(10_000);
    const purchases = await h.asSystem((tx) =>
      tx.selectFrom("credit_grants").select("id").where("user_id", "=", u.me.id).where("source", "=", "purchase").execute(),
    );
    expect(purchases).toHaveLength(1);
  });

  it("a second event about the same paid session (a new event id) finds it fulfilled and adds nothing", async () => {
    const { u, sessionId } = await paidPack("twice");
    const session = await runtime.stripe.checkout.sessions.retrieve(sessionId);
    const body = JSON.stringify({
      id: `evt_test_again_${sessionId}`,
      object: "event",
      type: "checkout.session.async_payment_succeeded",
      created: Math.floor(Date.now() / 1000),
      data: { object: session },
    });
    const res = await fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": signStripePayload(body, sandbox.webhookSecret) },
      body,
    });
    expect(res.status).toBe(200);
    const stored = await until(
      () => storedEvent(`evt_test_again_${sessionId}`),
      (e) => Boolean(e?.processed_at),
      "processing",
    );
    expect(stored?.result).toBe("already fulfilled");
    expect(await balanceOf(u)).toBe(10_000);
  });

  it("out of order: a refund delivered before the payment's completion leaves nothing granted", async () => {
    const u = await h.signUp("reordered");
    const { paymentId, url } = await u.caller.payments.buyPack({ packId: "pack-5k" });
    const sessionId = sessionIdOf(url);
    sandbox.setWebhookUrl(null);
    try {
      expect((await sandbox.pay(sessionId, TEST_CARDS.succeeds)).paid).toBe(true);
      const intent = sandbox.sessions.get(sessionId)?.payment_intent as string;
      await runtime.stripe.refunds.create({ payment_intent: intent });
      await sandbox.settled();
    } finally {
      sandbox.setWebhookUrl(webhookUrl);
    }
    const [completed] = eventsOf(sessionId);
    const refundEvent = sandbox.events.find((e) => e.type === "charge.refunded" && e.body.includes(paymentId));
    expect(completed?.type).toBe("checkout.session.completed");
    expect(refundEvent).toBeDefined();
    // Neither reached us while the endpoint was away.
    expect(await storedEvent(completed?.id as string)).toBeUndefined();

    expect(await sandbox.resend(refundEvent?.id as string)).toBe(200);
    await until(
      () => storedEvent(refundEvent?.id as string),
      (e) => Boolean(e?.processed_at),
      "the refund",
    );
    expect(await sandbox.resend(completed?.id as string)).toBe(200);
    const late = await until(
      () => storedEvent(completed?.id as string),
      (e) => Boolean(e?.processed_at),
      "the completion",
    );
    expect(late?.result).toBe("ignored: refunded before it completed");
    expect(await paymentRow(paymentId)).toMatchObject({
      status: "refunded",
      outcome: "Refunded before it was fulfilled; nothing was added",
    });
    expect(await balanceOf(u)).toBe(5_000);
  });

  it("out of order: a refund whose charge does not name the payment, delivered first, still leaves nothing granted", async () => {
    const u = await h.signUp("reordered-bare");
    const { paymentId, url } = await u.caller.payments.buyPack({ packId: "pack-5k" });
    const sessionId = sessionIdOf(url);
    sandbox.setWebhookUrl(null);
    try {
      expect((await sandbox.pay(sessionId, TEST_CARDS.succeeds)).paid).toBe(true);
      await sandbox.settled();
    } finally {
      sandbox.setWebhookUrl(webhookUrl);
    }
    const intent = sandbox.sessions.get(sessionId)?.payment_intent as string;
    // Stripe's charge.refunded as Stripe may send it: the charge and its intent, no metadata of ours.
    const refundId = `evt_test_bare_refund_${sessionId}`;
    const body = JSON.stringify({
      id: refundId,
      object: "event",
      type: "charge.refunded",
      created: Math.floor(Date.now() / 1000),
      data: {
        object: { id: `ch_${intent.slice(3)}`, object: "charge", payment_intent: intent, refunded: true, metadata: {} },
      },
    });
    const res = await fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": signStripePayload(body, sandbox.webhookSecret) },
      body,
    });
    expect(res.status).toBe(200);
    await until(
      () => storedEvent(refundId),
      (e) => Boolean(e?.processed_at),
      "the refund",
    );
    const [completed] = eventsOf(sessionId);
    expect(await sandbox.resend(completed?.id as string)).toBe(200);
    const late = await until(
      () => storedEvent(completed?.id as string),
      (e) => Boolean(e?.processed_at),
      "the completion",
    );
    expect(late?.result).toBe("ignored: refunded before it completed");
    expect(await paymentRow(paymentId)).toMatchObject({ status: "refunded" });
    expect(await balanceOf(u)).toBe(5_000);
  });

  it("retries a delivery the endpoint failed, and fulfils once", async () => {
    const u = await h.signUp("retried");
    const { paymentId, url } = await u.caller.payments.buyPack({ packId: "pack-25k" });
    // The endpoint answers 404 while payments are switched off, then recovers before the sandbox's retry.
    h.deps.payments = null;
    try {
      await payOnPage(url, TEST_CARDS.succeeds);
      await until(
        async () => eventsOf(sessionIdOf(url))[0]?.attempts.length ?? 0,
        (n) => n >= 1,
        "the first attempt",
      );
    } finally {
      h.deps.payments = runtime;
    }
    await until(
      () => paymentRow(paymentId),
      (p) => p.status === "paid",
      "the retried delivery",
    );
    expect(eventsOf(sessionIdOf(url))[0]?.attempts).toEqual([404, 200]);
    expect(await balanceOf(u)).toBe(30_000);
  });

  it("refuses an event with a bad, tampered or missing signature and stores nothing", async () => {
    const u = await h.signUp("forger");
    const { paymentId, url } = await u.caller.payments.buyPack({ packId: "pack-100k" });
    const sessionId = sessionIdOf(url);
    const forged = {
      id: `evt_forged_${sessionId}`,
      object: "event",
      type: "checkout.session.completed",
      data: {
        object: {
          ...(await runtime.stripe.checkout.sessions.retrieve(sessionId)),
          payment_status: "paid",
          status: "complete",
        },
      },
    };
    const body = JSON.stringify(forged);
    const post = (signature: string | null, payload = body) =>
      fetch(webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json", ...(signature ? { "stripe-signature": signature } : {}) },
        body: payload,
      });
    expect((await post(signStripePayload(body, "whsec_not_the_secret"))).status).toBe(400);
    expect((await post(signStripePayload(body, sandbox.webhookSecret), body.replace("pack-100k", "pack-5k"))).status).toBe(400);
    expect((await post(null)).status).toBe(400);
    expect((await post(`t=${Math.floor(Date.now() / 1000) - 3600},v1=${"0".repeat(64)}`)).status).toBe(400);
    expect(await storedEvent(forged.id)).toBeUndefined();
    expect(await paymentRow(paymentId)).toMatchObject({ status: "pending" });
    expect(await balanceOf(u)).toBe(5_000);
  });

  it("a correctly signed body that is not an event is refused with 400 (never a 500 Stripe would retry) and stores nothing", async () => {
    const bodies = [
      "null",
      "[]",
      '"evt"',
      JSON.stringify({ id: 5, type: "checkout.session.completed", data: { object: {} } }),
      JSON.stringify({ id: `evt_${"x".repeat(300)}`, type: "checkout.session.completed", data: { object: {} } }),
      JSON.stringify({ id: "evt_test_no_data", type: "checkout.session.completed" }),
    ];
    for (const body of bodies) {
      const res = await fetch(webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json", "stripe-signature": signStripePayload(body, sandbox.webhookSecret) },
        body,
      });
      expect(res.status, body.slice(0, 40)).toBe(400);
    }
    expect(await storedEvent("evt_test_no_data")).toBeUndefined();
  });

  it("a declined card buys nothing: the page says so, no event is sent, the payment stays pending", async () => {
    const u = await h.signUp("declined");
    const { paymentId, url } = await u.caller.payments.buyPack({ packId: "pack-5k" });
    const res = await payOnPage(url, TEST_CARDS.declined);
    expect(res.status).toBe(402);
    expect(await res.text()).toContain("Your card was declined.");
    await sandbox.settled();
    expect(eventsOf(sessionIdOf(url))).toEqual([]);
    // Returning to the app checks Stripe: still unpaid.
    expect(await u.caller.payments.get({ paymentId })).toMatchObject({ status: "pending", outcome: null });
    expect(await balanceOf(u)).toBe(5_000);
  });

  it("an expired checkout is marked expired", async () => {
    const u = await h.signUp("expired");
    const { paymentId, url } = await u.caller.payments.buyPack({ packId: "pack-5k" });
    await runtime.stripe.checkout.sessions.expire(sessionIdOf(url));
    await until(
      () => paymentRow(paymentId),
      (p) => p.status === "expired",
      "the expiry",
    );
    expect(await balanceOf(u)).toBe(5_000);
  });

  it("the return page settles a paid checkout even when the webhook has not arrived", async () => {
    const u = await h.signUp("early-return");
    const { paymentId, url } = await u.caller.payments.buyPack({ packId: "pack-5k" });
    sandbox.setWebhookUrl(null);
    try {
      await sandbox.pay(sessionIdOf(url), TEST_CARDS.succeeds);
      expect(await u.caller.payments.get({ paymentId })).toMatchObject({ status: "paid", outcome: "Added 5,000 credits" });
    } finally {
      sandbox.setWebhookUrl(webhookUrl);
    }
    expect(await balanceOf(u)).toBe(10_000);
    // The webhook arrives later and adds nothing.
    const [completed] = eventsOf(sessionIdOf(url));
    expect(await sandbox.resend(completed?.id as string)).toBe(200);
    const stored = await until(
      () => storedEvent(completed?.id as string),
      (e) => Boolean(e?.processed_at),
      "processing",
    );
    expect(stored?.result).toBe("already fulfilled");
    expect(await balanceOf(u)).toBe(10_000);
  });
});

describe("at the same instant", () => {
  it("the same event delivered twice at once, another event for the payment and the return page together fulfil once", async () => {
    const u = await h.signUp("concurrent");
    const { paymentId, url } = await u.caller.payments.buyPack({ packId: "pack-5k" });
    const sessionId = sessionIdOf(url);
    sandbox.setWebhookUrl(null);
    try {
      expect((await sandbox.pay(sessionId, TEST_CARDS.succeeds)).paid).toBe(true);
      await sandbox.settled();
    } finally {
      sandbox.setWebhookUrl(webhookUrl);
    }
    const completed = eventsOf(sessionId)[0];
    if (!completed) throw new Error("no completion event");
    // A second event id about the same paid session (as Stripe's async_payment_succeeded would be).
    const again = completed.body
      .replace(`"id":"${completed.id}"`, `"id":"${completed.id}_again"`)
      .replace('"type":"checkout.session.completed"', '"type":"checkout.session.async_payment_succeeded"');
    const post = (body: string) =>
      fetch(webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json", "stripe-signature": signStripePayload(body, sandbox.webhookSecret) },
        body,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { duplicate?: boolean } }));
    const deliveries = await Promise.all([post(completed.body), post(completed.body), post(again), post(again)]);
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200, 200]);
    expect(deliveries.filter((d) => d.body.duplicate === false)).toHaveLength(2);
    // The worker's jobs, two more runs of each event and the buyer's return page, all at once.
    const results = await Promise.all([
      payments.processEvent(h.db, completed.id),
      payments.processEvent(h.db, completed.id),
      payments.processEvent(h.db, `${completed.id}_again`),
      payments.processEvent(h.db, `${completed.id}_again`),
      u.caller.payments.get({ paymentId }),
    ]);
    expect(results.filter((r) => r === "fulfilled").length).toBeLessThanOrEqual(1);
    await until(
      async () =>
        Promise.all([storedEvent(completed.id), storedEvent(`${completed.id}_again`)]).then((e) =>
          e.every((x) => x?.processed_at),
        ),
      Boolean,
      "both events processed",
    );
    expect(await paymentRow(paymentId)).toMatchObject({ status: "paid" });
    expect(await balanceOf(u)).toBe(10_000);
    const grants = await h.asSystem((tx) =>
      tx.selectFrom("credit_grants").select("id").where("user_id", "=", u.me.id).where("source", "=", "purchase").execute(),
    );
    expect(grants).toHaveLength(1);
    // This buyer's balance agrees with their ledger (other files set balances by hand for their own cases).
    expect((await credits.reconcile(h.db, quiet)).filter((d) => d.userId === u.me.id)).toEqual([]);
  });
});

describe("the sweep", () => {
  it("sends a stored event whose job was lost back to fulfilment", async () => {
    const u = await h.signUp("swept");
    const { paymentId, url } = await u.caller.payments.buyPack({ packId: "pack-5k" });
    sandbox.setWebhookUrl(null);
    try {
      await sandbox.pay(sessionIdOf(url), TEST_CARDS.succeeds);
      await sandbox.settled();
    } finally {
      sandbox.setWebhookUrl(webhookUrl);
    }
    // The event was stored (as the webhook does) but its job never ran, and that was a while ago.
    const [completed] = eventsOf(sessionIdOf(url));
    const event = JSON.parse(completed?.body as string) as { id: string; type: string };
    await h.asSystem((tx) =>
      tx
        .insertInto("payment_events")
        .values({
          id: event.id,
          type: event.type,
          payload: completed?.body as string,
          received_at: new Date(Date.now() - 20 * 60_000),
        })
        .execute(),
    );
    expect(await payments.sweepEvents(h.db, h.deps.enqueue)).toBeGreaterThanOrEqual(1);
    await until(
      () => paymentRow(paymentId),
      (p) => p.status === "paid",
      "the swept event to be fulfilled",
    );
    expect(await balanceOf(u)).toBe(10_000);
    expect(await payments.sweepEvents(h.db, h.deps.enqueue)).toBe(0);
  });
});

describe("refunds", () => {
  it("takes back what is left of the pack, keeps what was spent, once, and the ledger still reconciles", async () => {
    const { u, paymentId } = await paidPack("refunded");
    // Spend 6,000: the 5,000 free sign-up credits first, then 1,000 of the paid pack.
    await asUser(h.db, u.me.id, (tx) =>
      credits.charge(tx, u.me.id, { operation: "writer.generate", quantity: 600, idempotencyKey: "spend", request: {} }),
    );
    expect(await balanceOf(u)).toBe(4_000);
    const admin = await h.signUp("payments-admin");
    await h.raw(sql`UPDATE users SET role = 'admin' WHERE id = ${admin.me.id}`);
    await expectTrpcError(u.caller.payments.adminRefund({ paymentId }), "FORBIDDEN");
    expect(await admin.caller.payments.adminRefund({ paymentId, reason: "Asked for it" })).toMatchObject({ status: "succeeded" });
    const refunded = await until(
      () => u.caller.payments.get({ paymentId }),
      (p) => p.status === "refunded",
      "the refund",
    );
    expect(refunded.outcome).toBe("Refunded; 4,000 unused credits taken back (1,000 were already used)");
    expect(await balanceOf(u)).toBe(0);
    const [line] = (await u.caller.credits.history({ limit: 5 })).filter((l) => l.type === "grant" && l.amount < 5_000 && l.note);
    expect(line).toMatchObject({ state: "refunded", amount: 1_000, refunded: 4_000, note: "Payment refunded" });
    // A second refund is refused here, and a replayed charge.refunded takes nothing more.
    await expectTrpcError(admin.caller.payments.adminRefund({ paymentId }), "PRECONDITION_FAILED");
    const refundEvent = sandbox.events.find((e) => e.type === "charge.refunded" && e.body.includes(paymentId));
    expect(await sandbox.resend(refundEvent?.id as string)).toBe(200);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await balanceOf(u)).toBe(0);
    const drift = await admin.caller.credits.adminReconcile();
    expect(drift.filter((d) => d.userId === u.me.id)).toEqual([]);
  });

  it("never reclaims credits a running generation has on hold", async () => {
    const { u, paymentId } = await paidPack("held");
    // 9,000 on hold of the 10,000: only 1,000 can go back.
    await asUser(h.db, u.me.id, (tx) =>
      credits.hold(tx, u.me.id, { operation: "writer.generate", amount: 9_000, idempotencyKey: "long-job", request: {} }),
    );
    const admin = await h.signUp("payments-admin-2");
    await h.raw(sql`UPDATE users SET role = 'admin' WHERE id = ${admin.me.id}`);
    await admin.caller.payments.adminRefund({ paymentId });
    const refunded = await until(
      () => u.caller.payments.get({ paymentId }),
      (p) => p.status === "refunded",
      "the refund",
    );
    expect(refunded.outcome).toBe(
      "Refunded; 1,000 unused credits taken back (4,000 were reserved by a running generation and stay)",
    );
    expect(await u.caller.credits.balance()).toMatchObject({ available: 0, held: 9_000 });
  });
});

describe("payments belong to their buyer", () => {
  it("another user can neither read, list nor refund someone's payment, and no user reads Stripe's events", async () => {
    const { u: a, paymentId } = await paidPack("owner");
    const b = await h.signUp("intruder");
    await expectTrpcError(b.caller.payments.get({ paymentId }), "NOT_FOUND");
    expect(await b.caller.payments.list({})).toEqual([]);
    expect((await a.caller.payments.list({})).map((p) => p.id)).toEqual([paymentId]);
    await expectTrpcError(b.caller.payments.adminRefund({ paymentId }), "FORBIDDEN");
    await expectTrpcError(h.anon().payments.buyPack({ packId: "pack-5k" }), "UNAUTHORIZED");
    // Under B's own RLS transaction A's row does not exist, B cannot write a paid row, and events are closed to users.
    expect(await asUser(h.db, b.me.id, (tx) => tx.selectFrom("payments").select("id").execute())).toEqual([]);
    await expect(
      asUser(h.db, b.me.id, (tx) =>
        tx
          .insertInto("payments")
          .values({
            user_id: b.me.id,
            kind: "credit_pack",
            reference_id: "x",
            description: "x",
            amount_cents: 1,
            currency: "usd",
            credits: 1,
            status: "paid",
            paid_at: new Date(),
          })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
    // Nor a pending row for someone else, nor one naming a Stripe session or payment intent (the webhook
    // matches those when an event carries no payment id of ours).
    const pending = {
      kind: "credit_pack",
      reference_id: "x",
      description: "x",
      amount_cents: 1,
      currency: "usd",
      credits: 1,
    } as const;
    for (const values of [
      { ...pending, user_id: a.me.id },
      { ...pending, user_id: b.me.id, stripe_session_id: "cs_test_forged" },
      { ...pending, user_id: b.me.id, stripe_payment_intent: "pi_test_forged" },
      { ...pending, user_id: b.me.id, outcome: "Added 1 credits", paid_at: new Date() },
    ]) {
      await expect(asUser(h.db, b.me.id, (tx) => tx.insertInto("payments").values(values).execute())).rejects.toThrow(
        /row-level security/,
      );
    }
    await expect(asUser(h.db, b.me.id, (tx) => tx.selectFrom("payment_events").select("id").execute())).rejects.toThrow(
      /permission denied/,
    );
    await expect(
      asUser(h.db, a.me.id, (tx) => tx.updateTable("payments").set({ status: "pending" }).where("id", "=", paymentId).execute()),
    ).rejects.toThrow(/permission denied/);
  });

  it("says plainly when payments are not configured", async () => {
    const u = await h.signUp("unconfigured");
    h.deps.payments = null;
    try {
      const e = await expectTrpcError(u.caller.payments.buyPack({ packId: "pack-5k" }), "PRECONDITION_FAILED");
      expect(e.message).toBe("Payments are not set up on this server.");
      expect((await h.anon().payments.packs()).available).toBe(false);
    } finally {
      h.deps.payments = runtime;
    }
  });
});
