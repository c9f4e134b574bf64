/**
 * The sandbox's Stripe Billing part: recurring prices, Checkout in `mode=subscription`, subscriptions
 * (retrieve; update the price with `proration_behavior`, `cancel_at_period_end`, metadata) and their
 * invoices, in the shapes of Stripe's current API (periods on the subscription item, an invoice's
 * subscription under `parent.subscription_details`, its service period on the line).
 *
 * Time: each subscription has its own clock, like a Stripe test clock attached to its customer.
 * `advance(sub)` moves it to the period's end and renews: a paid invoice (`invoice.paid`), or — after
 * `failNextRenewal(sub)` — a failed one (`invoice.payment_failed`, the subscription `past_due`, its
 * period still moved on, as Stripe does); advancing a `past_due` subscription is Stripe's last retry:
 * paid if the failure was cleared, else the subscription is canceled (`customer.subscription.deleted`,
 * Stripe's "cancel after all retries fail"). A subscription set to cancel at period end is canceled
 * when its clock reaches the end. Events carry the clock's time in `created`.
 */
import { randomBytes } from "node:crypto";

export class BillingError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly type = "invalid_request_error",
  ) {
    super(message);
  }
}

export interface SandboxPrice {
  id: string;
  object: "price";
  active: true;
  currency: string;
  unit_amount: number;
  lookup_key: string | null;
  product: string;
  nickname: string | null;
  metadata: Record<string, string>;
  recurring: { interval: "month"; interval_count: 1 };
  type: "recurring";
  livemode: false;
}

export interface SandboxSubscription {
  id: string;
  customer: string;
  status: "active" | "past_due" | "canceled";
  cancel_at_period_end: boolean;
  metadata: Record<string, string>;
  item: { id: string; price: SandboxPrice; start: number; end: number };
  created: number;
  canceled_at: number | null;
  ended_at: number | null;
  latest_invoice: string | null;
  /** This subscription's test clock (unix seconds). */
  clock: number;
  failNext: boolean;
  /** The open invoice of a failed renewal, retried on the next advance. */
  openInvoice: SandboxInvoice | null;
}

export interface SandboxInvoice {
  id: string;
  object: "invoice";
  customer: string;
  status: "paid" | "open";
  billing_reason: string;
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  currency: string;
  attempt_count: number;
  attempted: boolean;
  next_payment_attempt: number | null;
  period_start: number;
  period_end: number;
  created: number;
  hosted_invoice_url: string;
  livemode: false;
  parent: {
    type: "subscription_details";
    quote_details: null;
    subscription_details: { subscription: string; metadata: Record<string, string> };
  };
  lines: {
    object: "list";
    has_more: false;
    data: {
      id: string;
      object: "line_item";
      amount: number;
      currency: string;
      description: string;
      period: { start: number; end: number };
      pricing: { type: "price_details"; price_details: { price: string; product: string } };
      parent: {
        type: "subscription_item_details";
        subscription_item_details: { subscription: string; subscription_item: string; proration: boolean };
      };
    }[];
  };
}

const DAY = 24 * 3600;
const sid = (prefix: string) => `${prefix}_test_${randomBytes(12).toString("hex")}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** One month on from `t` (same day of month, clamped as Stripe does at month ends). */
export function addMonth(t: number): number {
  const d = new Date(t * 1000);
  const next = new Date(
    Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()),
  );
  const last = new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 0)).getUTCDate();
  next.setUTCDate(Math.min(d.getUTCDate(), last));
  return Math.floor(next.getTime() / 1000);
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const record = (v: unknown) =>
  v && typeof v === "object" && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === "string"))
    : {};

type Emit = (type: string, object: unknown, created?: number) => void;

export function createBilling(emit: Emit, baseUrl: () => string) {
  const prices = new Map<string, SandboxPrice>();
  const subscriptions = new Map<string, SandboxSubscription>();
  const invoices = new Map<string, SandboxInvoice>();

  function createPrice(form: Record<string, unknown>): SandboxPrice {
    const recurring = (form.recurring ?? {}) as Record<string, unknown>;
    const product = (form.product_data ?? {}) as Record<string, unknown>;
    const unit = Number(form.unit_amount);
    const currency = str(form.currency);
    if (!currency || !Number.isInteger(unit) || unit < 1)
      throw new BillingError(400, "A price needs currency and a positive unit_amount.", "parameter_missing");
    if (recurring.interval !== "month" || (recurring.interval_count ?? "1") !== "1")
      throw new BillingError(400, "The sandbox supports monthly recurring prices only.");
    if (!str(form.product) && !str(product.name)) throw new BillingError(400, "product or product_data[name] is required.");
    const lookup = str(form.lookup_key) ?? null;
    const holder = lookup ? [...prices.values()].find((p) => p.lookup_key === lookup) : undefined;
    if (holder && form.transfer_lookup_key !== "true")
      throw new BillingError(400, `A price with lookup_key ${lookup} already exists.`, "lookup_key_exists");
    if (holder) holder.lookup_key = null;
    const price: SandboxPrice = {
      id: sid("price"),
      object: "price",
      active: true,
      currency,
      unit_amount: unit,
      lookup_key: lookup,
      product: str(form.product) ?? sid("prod"),
      nickname: str(product.name) ?? str(form.nickname) ?? null,
      metadata: record(form.metadata),
      recurring: { interval: "month", interval_count: 1 },
      type: "recurring",
      livemode: false,
    };
    prices.set(price.id, price);
    return price;
  }

  function listPrices(query: Record<string, unknown>) {
    const keys = Array.isArray(query.lookup_keys) ? query.lookup_keys.map(String) : [];
    const data = [...prices.values()].filter((p) => keys.length === 0 || (p.lookup_key !== null && keys.includes(p.lookup_key)));
    return { object: "list", data, has_more: false, url: "/v1/prices" };
  }

  function priceOf(id: unknown): SandboxPrice {
    const p = typeof id === "string" ? prices.get(id) : undefined;
    if (!p) throw new BillingError(400, `No such price: '${String(id)}'`, "resource_missing");
    return p;
  }

  const publicSubscription = (s: SandboxSubscription) => ({
    id: s.id,
    object: "subscription",
    customer: s.customer,
    status: s.status,
    cancel_at_period_end: s.cancel_at_period_end,
    cancel_at: s.cancel_at_period_end ? s.item.end : null,
    canceled_at: s.canceled_at,
    ended_at: s.ended_at,
    created: s.created,
    start_date: s.created,
    billing_cycle_anchor: s.created,
    currency: s.item.price.currency,
    collection_method: "charge_automatically",
    latest_invoice: s.latest_invoice,
    metadata: s.metadata,
    livemode: false,
    items: {
      object: "list",
      has_more: false,
      url: `/v1/subscription_items?subscription=${s.id}`,
      data: [
        {
          id: s.item.id,
          object: "subscription_item",
          price: s.item.price,
          quantity: 1,
          subscription: s.id,
          current_period_start: s.item.start,
          current_period_end: s.item.end,
          metadata: {},
        },
      ],
    },
  });

  function invoice(
    s: SandboxSubscription,
    reason: string,
    amount: number,
    service: { start: number; end: number },
    paid: boolean,
    proration = false,
  ): SandboxInvoice {
    const inv: SandboxInvoice = {
      id: sid("in"),
      object: "invoice",
      customer: s.customer,
      status: paid ? "paid" : "open",
      billing_reason: reason,
      amount_due: amount,
      amount_paid: paid ? amount : 0,
      amount_remaining: paid ? 0 : amount,
      currency: s.item.price.currency,
      attempt_count: 1,
      attempted: true,
      next_payment_attempt: paid ? null : s.clock + 3 * DAY,
      // As Stripe: a renewal invoice's own period is the one that just ended; the line carries the new one.
      period_start: reason === "subscription_cycle" ? s.item.start : s.clock,
      period_end: reason === "subscription_cycle" ? service.start : s.clock,
      created: s.clock,
      hosted_invoice_url: "",
      livemode: false,
      parent: {
        type: "subscription_details",
        quote_details: null,
        subscription_details: { subscription: s.id, metadata: { ...s.metadata } },
      },
      lines: {
        object: "list",
        has_more: false,
        data: [
          {
            id: sid("il"),
            object: "line_item",
            amount,
            currency: s.item.price.currency,
            description: `${proration ? "Remaining time on " : ""}${s.item.price.nickname ?? "Subscription"}`,
            period: service,
            pricing: { type: "price_details", price_details: { price: s.item.price.id, product: s.item.price.product } },
            parent: {
              type: "subscription_item_details",
              subscription_item_details: { subscription: s.id, subscription_item: s.item.id, proration },
            },
          },
        ],
      },
    };
    inv.hosted_invoice_url = `${baseUrl()}/invoices/${inv.id}`;
    invoices.set(inv.id, inv);
    s.latest_invoice = inv.id;
    return inv;
  }

  /** A paid Checkout Session in subscription mode starts the subscription and pays its first invoice. */
  function startFromCheckout(input: { priceId: string; metadata: Record<string, string> }) {
    const price = priceOf(input.priceId);
    const clock = nowSeconds();
    const s: SandboxSubscription = {
      id: sid("sub"),
      customer: sid("cus"),
      status: "active",
      cancel_at_period_end: false,
      metadata: input.metadata,
      item: { id: sid("si"), price, start: clock, end: addMonth(clock) },
      created: clock,
      canceled_at: null,
      ended_at: null,
      latest_invoice: null,
      clock,
      failNext: false,
      openInvoice: null,
    };
    subscriptions.set(s.id, s);
    const inv = invoice(s, "subscription_create", price.unit_amount, { start: s.item.start, end: s.item.end }, true);
    emit("customer.subscription.created", publicSubscription(s), clock);
    emit("invoice.paid", inv, clock);
    return { subscription: s, invoice: inv };
  }

  function find(id: string | undefined): SandboxSubscription {
    const s = id ? subscriptions.get(id) : undefined;
    if (!s) throw new BillingError(404, `No such subscription: '${id}'`, "resource_missing");
    return s;
  }

  function cancelNow(s: SandboxSubscription) {
    s.status = "canceled";
    s.canceled_at = s.canceled_at ?? s.clock;
    s.ended_at = s.clock;
    s.openInvoice = null;
    emit("customer.subscription.deleted", publicSubscription(s), s.clock);
  }

  /**
   * `POST /v1/subscriptions/:id`. A price change with `proration_behavior=always_invoice` invoices the
   * prorated difference at once (an upgrade; a downgrade's negative proration is a credit balance in
   * Stripe, which the sandbox does not keep); `none` changes the price from the next renewal's invoice on.
   */
  function update(id: string | undefined, form: Record<string, unknown>) {
    const s = find(id);
    if (s.status === "canceled") throw new BillingError(400, "A canceled subscription can no longer be updated.");
    // As Stripe: with the default `allow_incomplete` a price change is applied even when its prorated
    // invoice cannot be paid (the invoice stays open, the subscription past due); `error_if_incomplete`
    // answers 402 and changes nothing. The card fails when the subscription's next charge is set to fail.
    const payment = str(form.payment_behavior) ?? "allow_incomplete";
    if (!["allow_incomplete", "error_if_incomplete"].includes(payment))
      throw new BillingError(400, `The sandbox does not model payment_behavior: ${payment}`);
    const items = Array.isArray(form.items) ? (form.items as Record<string, unknown>[]) : [];
    const change = items[0];
    let priceChange: { next: ReturnType<typeof priceOf>; charge: number } | null = null;
    if (change) {
      if (change.id !== s.item.id)
        throw new BillingError(400, `No such subscription item: '${String(change.id)}'`, "resource_missing");
      const next = priceOf(change.price);
      const behaviour = str(form.proration_behavior) ?? "create_prorations";
      if (!["none", "always_invoice", "create_prorations"].includes(behaviour))
        throw new BillingError(400, `Invalid proration_behavior: ${behaviour}`);
      const left = Math.max(0, s.item.end - s.clock) / Math.max(1, s.item.end - s.item.start);
      const difference = Math.round((next.unit_amount - s.item.price.unit_amount) * left);
      const charge = behaviour === "always_invoice" && difference > 0 && s.status === "active" ? difference : 0;
      if (charge > 0 && s.failNext && payment === "error_if_incomplete")
        throw new BillingError(402, "Your card was declined.", "card_declined", "card_error");
      priceChange = { next, charge };
    }
    let prorationInvoice: SandboxInvoice | null = null;
    if (form.metadata !== undefined) s.metadata = { ...s.metadata, ...record(form.metadata) };
    if (form.cancel_at_period_end !== undefined) {
      s.cancel_at_period_end = form.cancel_at_period_end === "true";
      s.canceled_at = s.cancel_at_period_end ? s.clock : null;
    }
    if (priceChange) {
      s.item.price = priceChange.next;
      if (priceChange.charge > 0) {
        const paid = !s.failNext;
        prorationInvoice = invoice(s, "subscription_update", priceChange.charge, { start: s.clock, end: s.item.end }, paid, true);
        if (!paid) {
          s.status = "past_due";
          s.openInvoice = prorationInvoice;
        }
      }
    }
    emit("customer.subscription.updated", publicSubscription(s), s.clock);
    if (prorationInvoice)
      emit(prorationInvoice.status === "paid" ? "invoice.paid" : "invoice.payment_failed", prorationInvoice, s.clock);
    return publicSubscription(s);
  }

  /** The test clock: to the end of the current period, and what Stripe does there (see the file's comment). */
  function advance(id: string) {
    const s = find(id);
    if (s.status === "canceled") throw new BillingError(400, "This subscription has ended.");
    if (s.status === "past_due" && s.openInvoice) {
      // Stripe's final retry of the unpaid renewal.
      s.clock = Math.max(s.clock + 3 * DAY, s.clock + 1);
      const open = s.openInvoice;
      open.attempt_count += 1;
      open.created = s.clock;
      if (s.failNext) {
        open.next_payment_attempt = null;
        emit("invoice.payment_failed", open, s.clock);
        cancelNow(s);
      } else {
        Object.assign(open, { status: "paid", amount_paid: open.amount_due, amount_remaining: 0, next_payment_attempt: null });
        s.openInvoice = null;
        s.status = "active";
        emit("invoice.paid", open, s.clock);
        emit("customer.subscription.updated", publicSubscription(s), s.clock);
      }
      return publicSubscription(s);
    }
    s.clock = s.item.end;
    if (s.cancel_at_period_end) {
      cancelNow(s);
      return publicSubscription(s);
    }
    const service = { start: s.item.end, end: addMonth(s.item.end) };
    const paid = !s.failNext;
    const inv = invoice(s, "subscription_cycle", s.item.price.unit_amount, service, paid);
    s.item.start = service.start;
    s.item.end = service.end;
    if (paid) {
      emit("invoice.paid", inv, s.clock);
    } else {
      s.status = "past_due";
      s.openInvoice = inv;
      emit("invoice.payment_failed", inv, s.clock);
    }
    emit("customer.subscription.updated", publicSubscription(s), s.clock);
    return publicSubscription(s);
  }

  function failNextRenewal(id: string, fail: boolean) {
    const s = find(id);
    s.failNext = fail;
    return { id: s.id, failNext: s.failNext };
  }

  return {
    prices,
    subscriptions,
    invoices,
    createPrice,
    listPrices,
    priceOf,
    startFromCheckout,
    retrieve: (id: string | undefined) => publicSubscription(find(id)),
    update,
    /** `DELETE /v1/subscriptions/:id`: ends it at once (Stripe's cancel); an ended one answers as it is. */
    cancel(id: string | undefined) {
      const s = find(id);
      if (s.status !== "canceled") cancelNow(s);
      return publicSubscription(s);
    },
    advance,
    failNextRenewal,
    find,
  };
}

export type SandboxBilling = ReturnType<typeof createBilling>;
