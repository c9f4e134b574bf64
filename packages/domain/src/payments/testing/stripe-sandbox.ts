/**
 * A local stand-in for the part of Stripe Inkwell uses, so `pnpm dev` and the tests pay through the
 * real SDK without an account or the network. One HTTP server on 127.0.0.1:
 *
 *   POST /v1/checkout/sessions             create (mode=payment, one price_data line item); Idempotency-Key honoured
 *   GET  /v1/checkout/sessions/:id         retrieve
 *   POST /v1/checkout/sessions/:id/expire  expire an open session (sends checkout.session.expired)
 *   POST /v1/refunds                       full refund of a paid session's payment_intent (sends charge.refunded)
 *   POST /v1/prices, GET /v1/prices        monthly recurring prices (lookup_keys filter)
 *   GET  /v1/subscriptions/:id             retrieve; POST updates (price + proration_behavior, cancel_at_period_end, metadata);
 *                                          DELETE cancels at once
 *   POST /sandbox/subscriptions/:id/advance            the subscription's test clock to its period end (renewal)
 *   POST /sandbox/subscriptions/:id/fail-next-renewal  fail=true|false: the next renewal's payment fails
 *   GET  /checkout/pay/:id                 the hosted pay page: a test card form
 *   POST /checkout/pay/:id                 4242 4242 4242 4242 pays (checkout.session.completed, then a 303 to
 *                                          success_url); 4000 0000 0000 0002 is declined (the page says so, the
 *                                          session stays open, nothing is sent)
 *
 * API calls need `Authorization: Bearer <secretKey>`; errors have Stripe's shape
 * (`{ error: { type, code, message } }`). Webhooks are POSTed to `webhookUrl` with a `Stripe-Signature`
 * header made exactly as Stripe makes it (`t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.payload" with the
 * endpoint secret>`), so `stripe.webhooks.constructEvent` verifies them; a delivery that fails or is
 * not answered 2xx is retried after each of `retryDelaysMs`.
 */
import { createHmac, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { parseStripeForm } from "./stripe-form.ts";
import { payPage } from "./stripe-pay-page.ts";
import type { SandboxSession } from "./stripe-sandbox.types.ts";
import { BillingError, createBilling, type SandboxBilling } from "./stripe-sandbox-billing.ts";

export type { SandboxSession };

export const TEST_CARDS = { succeeds: "4242424242424242", declined: "4000000000000002" } as const;

export interface SandboxEvent {
  id: string;
  type: string;
  body: string;
  /** Each delivery attempt: the HTTP status, or 0 when the endpoint could not be reached. */
  attempts: number[];
}

export interface StripeSandbox {
  url: string;
  secretKey: string;
  webhookSecret: string;
  sessions: Map<string, SandboxSession>;
  events: SandboxEvent[];
  setWebhookUrl(url: string | null): void;
  /** Prices, subscriptions and invoices (Stripe Billing's part). */
  billing: SandboxBilling;
  /** The subscription's test clock to its period's end: renews (or fails to, or ends it). */
  advance(subscriptionId: string): void;
  /** Makes the subscription's next renewal (and its retry) fail, or pay again. */
  failNextRenewal(subscriptionId: string, fail?: boolean): void;
  /** What the pay page's form does, for tests that pay without a browser. */
  pay(sessionId: string, cardNumber: string): Promise<{ paid: boolean; message: string }>;
  /** Delivers an already-sent event again, same id and body, newly signed (as Stripe's "resend"). */
  resend(eventId: string): Promise<number>;
  /** Resolves when every delivery (with its retries) has finished. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export interface StripeSandboxOptions {
  port?: number;
  secretKey?: string;
  webhookSecret?: string;
  webhookUrl?: string;
  /** Waits before each retry of a failed delivery (Stripe's are hours apart; ours are short). */
  retryDelaysMs?: number[];
}

const API_VERSION = "2026-11-18.endive";
const id = (prefix: string) => `${prefix}_test_${randomBytes(12).toString("hex")}`;
const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stripe's signature scheme (the v1 scheme the SDK verifies). */
export function signStripePayload(payload: string, secret: string, timestamp = now()): string {
  const v1 = createHmac("sha256", secret).update(`${timestamp}.${payload}`).digest("hex");
  return `t=${timestamp},v1=${v1}`;
}

class StripeError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > 1_000_000) req.destroy(new Error("body too large"));
      else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const send = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json", "request-id": id("req") });
  res.end(JSON.stringify(body));
};

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const record = (v: unknown) =>
  v && typeof v === "object" && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === "string"))
    : {};

export async function startStripeSandbox(options: StripeSandboxOptions = {}): Promise<StripeSandbox> {
  const secretKey = options.secretKey ?? `sk_test_sandbox_${randomBytes(8).toString("hex")}`;
  const webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(24).toString("base64url")}`;
  const retryDelays = options.retryDelaysMs ?? [250, 1_000, 3_000, 10_000];
  let webhookUrl = options.webhookUrl ?? null;
  let base = "";
  const sessions = new Map<string, SandboxSession>();
  const events: SandboxEvent[] = [];
  const idempotent = new Map<string, { status: number; body: unknown }>();
  const inFlight = new Set<Promise<void>>();
  const billing = createBilling(
    (type, object, created) => emit(type, object, created),
    () => base,
  );

  async function attempt(event: SandboxEvent): Promise<number> {
    if (!webhookUrl) return 0;
    try {
      const res = await fetch(webhookUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
          "stripe-signature": signStripePayload(event.body, webhookSecret),
        },
        body: event.body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0;
    }
  }

  function deliver(event: SandboxEvent) {
    const run = (async () => {
      for (let i = 0; ; i++) {
        const status = await attempt(event);
        event.attempts.push(status);
        if ((status >= 200 && status < 300) || i >= retryDelays.length) return;
        await sleep(retryDelays[i] ?? 0);
      }
    })();
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
  }

  function emit(type: string, object: unknown, created = now()) {
    const eventId = id("evt");
    const body = JSON.stringify({
      id: eventId,
      object: "event",
      api_version: API_VERSION,
      created,
      data: { object },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    });
    const event: SandboxEvent = { id: eventId, type, body, attempts: [] };
    events.push(event);
    deliver(event);
    return event;
  }

  const publicSession = (s: SandboxSession) => {
    const { line_items: _l, intent_metadata: _m, refunded: _r, price_id: _p, subscription_metadata: _sm, ...rest } = s;
    return rest;
  };

  function charge(s: SandboxSession) {
    return {
      id: `ch_${s.payment_intent?.slice(3)}`,
      object: "charge",
      amount: s.amount_total,
      amount_refunded: s.refunded ? s.amount_total : 0,
      currency: s.currency,
      paid: true,
      refunded: s.refunded,
      payment_intent: s.payment_intent,
      metadata: s.intent_metadata,
      status: "succeeded",
      livemode: false,
    };
  }

  function createSession(form: Record<string, unknown>): SandboxSession {
    if (form.mode !== "payment" && form.mode !== "subscription")
      throw new StripeError(400, "invalid_request_error", "The sandbox supports mode=payment and mode=subscription.");
    const subscription = form.mode === "subscription";
    const items = Array.isArray(form.line_items) ? form.line_items : [];
    let priceId: string | null = null;
    const lines = items.map((raw) => {
      const item = raw as Record<string, unknown>;
      if (subscription) {
        // Subscriptions are sold by recurring price id (the service creates its prices once, by lookup key).
        const price = billing.priceOf(item.price);
        priceId = price.id;
        const quantity = Number(item.quantity ?? 1);
        const name = `${price.nickname ?? "Subscription"} (monthly)`;
        return { quantity, price_data: { currency: price.currency, unit_amount: price.unit_amount, product_data: { name } } };
      }
      const price = (item.price_data ?? {}) as Record<string, unknown>;
      const product = (price.product_data ?? {}) as Record<string, unknown>;
      const unit = Number(price.unit_amount);
      const quantity = Number(item.quantity ?? 1);
      const currency = str(price.currency);
      const name = str(product.name);
      if (!currency || !name || !Number.isInteger(unit) || unit < 1 || !Number.isInteger(quantity) || quantity < 1)
        throw new StripeError(
          400,
          "invalid_request_error",
          "Each line item needs price_data (currency, unit_amount, product_data.name).",
        );
      return { quantity, price_data: { currency, unit_amount: unit, product_data: { name } } };
    });
    const first = lines[0];
    if (!first) throw new StripeError(400, "invalid_request_error", "line_items is required.", "parameter_missing");
    const success = str(form.success_url);
    const cancel = str(form.cancel_url);
    if (!success || !cancel) throw new StripeError(400, "invalid_request_error", "success_url and cancel_url are required.");
    const total = lines.reduce((sum, l) => sum + l.quantity * l.price_data.unit_amount, 0);
    const sessionId = id("cs");
    const session: SandboxSession = {
      id: sessionId,
      object: "checkout.session",
      mode: subscription ? "subscription" : "payment",
      status: "open",
      payment_status: "unpaid",
      amount_total: total,
      amount_subtotal: total,
      currency: first.price_data.currency,
      client_reference_id: str(form.client_reference_id) ?? null,
      metadata: record(form.metadata),
      payment_intent: null,
      success_url: success,
      cancel_url: cancel,
      url: `${base}/checkout/pay/${sessionId}`,
      created: now(),
      expires_at: now() + 24 * 3600,
      livemode: false,
      line_items: lines,
      intent_metadata: record((form.payment_intent_data as Record<string, unknown> | undefined)?.metadata),
      refunded: false,
      subscription: null,
      customer: null,
      price_id: priceId,
      subscription_metadata: record((form.subscription_data as Record<string, unknown> | undefined)?.metadata),
    };
    if (subscription && lines.length !== 1)
      throw new StripeError(400, "invalid_request_error", "The sandbox sells one subscription price per session.");
    sessions.set(session.id, session);
    return session;
  }

  function findSession(sessionId: string | undefined) {
    const s = sessionId ? sessions.get(sessionId) : undefined;
    if (!s) throw new StripeError(404, "invalid_request_error", `No such checkout.session: '${sessionId}'`, "resource_missing");
    return s;
  }

  function pay(s: SandboxSession, cardNumber: string): { paid: boolean; message: string } {
    if (s.status !== "open") return { paid: false, message: "This checkout is no longer open." };
    const digits = cardNumber.replace(/\D/g, "");
    if (digits === TEST_CARDS.declined) return { paid: false, message: "Your card was declined." };
    if (digits !== TEST_CARDS.succeeds) return { paid: false, message: "Your card number is incorrect." };
    s.status = "complete";
    s.payment_status = "paid";
    s.url = null;
    if (s.mode === "subscription" && s.price_id) {
      const started = billing.startFromCheckout({ priceId: s.price_id, metadata: s.subscription_metadata });
      s.subscription = started.subscription.id;
      s.customer = started.subscription.customer;
    } else s.payment_intent = id("pi");
    emit("checkout.session.completed", publicSession(s));
    return { paid: true, message: "Paid" };
  }

  function refund(form: Record<string, unknown>) {
    const intent = str(form.payment_intent);
    const s = [...sessions.values()].find((x) => x.payment_intent && x.payment_intent === intent);
    if (!s) throw new StripeError(404, "invalid_request_error", `No such payment_intent: '${intent}'`, "resource_missing");
    if (s.refunded)
      throw new StripeError(400, "invalid_request_error", "Charge has already been refunded.", "charge_already_refunded");
    s.refunded = true;
    emit("charge.refunded", charge(s));
    return {
      id: id("re"),
      object: "refund",
      amount: s.amount_total,
      currency: s.currency,
      charge: charge(s).id,
      payment_intent: s.payment_intent,
      reason: str(form.reason) ?? null,
      metadata: record(form.metadata),
      status: "succeeded",
      created: now(),
    };
  }

  async function api(req: IncomingMessage, res: ServerResponse, path: string, query: Record<string, unknown>) {
    if (req.headers.authorization !== `Bearer ${secretKey}`)
      throw new StripeError(401, "invalid_request_error", "Invalid API Key provided.");
    const form = req.method === "POST" ? parseStripeForm(await readBody(req)) : {};
    const key = req.method === "POST" ? req.headers["idempotency-key"] : undefined;
    const cacheKey = typeof key === "string" ? `${path}:${key}` : null;
    const cached = cacheKey ? idempotent.get(cacheKey) : undefined;
    if (cached) return send(res, cached.status, cached.body);
    const sessionPath = /^\/v1\/checkout\/sessions\/([\w-]+)(\/expire)?$/.exec(path);
    const subscriptionPath = /^\/v1\/subscriptions\/([\w-]+)$/.exec(path);
    const clockPath = /^\/sandbox\/subscriptions\/([\w-]+)\/(advance|fail-next-renewal)$/.exec(path);
    let body: unknown;
    if (req.method === "POST" && path === "/v1/checkout/sessions") body = publicSession(createSession(form));
    else if (req.method === "GET" && sessionPath && !sessionPath[2]) body = publicSession(findSession(sessionPath[1]));
    else if (req.method === "POST" && sessionPath?.[2]) {
      const s = findSession(sessionPath[1]);
      if (s.status !== "open")
        throw new StripeError(400, "invalid_request_error", `Only open sessions can be expired (this one is ${s.status}).`);
      s.status = "expired";
      s.url = null;
      emit("checkout.session.expired", publicSession(s));
      body = publicSession(s);
    } else if (req.method === "POST" && path === "/v1/refunds") body = refund(form);
    else if (req.method === "POST" && path === "/v1/prices") body = billing.createPrice(form);
    else if (req.method === "GET" && path === "/v1/prices") body = billing.listPrices(query);
    else if (subscriptionPath && req.method === "GET") body = billing.retrieve(subscriptionPath[1]);
    else if (subscriptionPath && req.method === "POST") body = billing.update(subscriptionPath[1], form);
    else if (subscriptionPath && req.method === "DELETE") body = billing.cancel(subscriptionPath[1]);
    else if (req.method === "POST" && clockPath?.[2] === "advance") body = billing.advance(clockPath[1] as string);
    else if (req.method === "POST" && clockPath?.[2] === "fail-next-renewal")
      body = billing.failNextRenewal(clockPath[1] as string, form.fail !== "false");
    else throw new StripeError(404, "invalid_request_error", `Unrecognized request URL (${req.method}: ${path}).`);
    if (cacheKey) idempotent.set(cacheKey, { status: 200, body });
    send(res, 200, body);
  }

  async function payRoute(req: IncomingMessage, res: ServerResponse, sessionId: string) {
    const s = sessions.get(sessionId);
    if (!s) {
      res.writeHead(404, { "content-type": "text/plain" });
      return res.end("No such checkout session.");
    }
    const html = (status: number, page: string) => {
      res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(page);
    };
    if (req.method !== "POST") return html(200, payPage(s));
    const card = new URLSearchParams(await readBody(req)).get("card_number") ?? "";
    const result = pay(s, card);
    if (!result.paid) return html(402, payPage(s, { error: result.message, card }));
    res.writeHead(303, { location: s.success_url.replace("{CHECKOUT_SESSION_ID}", s.id) });
    res.end();
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const path = url.pathname;
    const page = /^\/checkout\/pay\/([\w-]+)$/.exec(path);
    const handled = page?.[1] ? payRoute(req, res, page[1]) : api(req, res, path, parseStripeForm(url.search.slice(1)));
    handled.catch((error: unknown) => {
      if (res.headersSent) return res.end();
      if (error instanceof BillingError)
        send(res, error.status, {
          error: { type: error.type, message: error.message, ...(error.code ? { code: error.code } : {}) },
        });
      else if (error instanceof StripeError)
        send(res, error.status, {
          error: { type: error.type, message: error.message, ...(error.code ? { code: error.code } : {}) },
        });
      else send(res, 500, { error: { type: "api_error", message: String(error) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

  return {
    url: base,
    secretKey,
    webhookSecret,
    sessions,
    events,
    setWebhookUrl(url) {
      webhookUrl = url;
    },
    billing,
    advance(subscriptionId) {
      billing.advance(subscriptionId);
    },
    failNextRenewal(subscriptionId, fail = true) {
      billing.failNextRenewal(subscriptionId, fail);
    },
    async pay(sessionId, cardNumber) {
      return pay(findSession(sessionId), cardNumber);
    },
    async resend(eventId) {
      const event = events.find((e) => e.id === eventId);
      if (!event) throw new Error(`no sandbox event ${eventId}`);
      const status = await attempt(event);
      event.attempts.push(status);
      return status;
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
