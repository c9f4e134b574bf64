import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { parseStripeForm } from "./stripe-form.ts";
import { signStripePayload } from "./stripe-sandbox.ts";
import { addMonth } from "./stripe-sandbox-billing.ts";

const stripe = new Stripe("sk_test_unit");
const payload = JSON.stringify({ id: "evt_1", object: "event", type: "checkout.session.completed", data: { object: {} } });

describe("the sandbox signs webhooks as Stripe does", () => {
  it("is verified by the SDK's constructEvent", () => {
    const event = stripe.webhooks.constructEvent(payload, signStripePayload(payload, "whsec_unit"), "whsec_unit");
    expect(event.id).toBe("evt_1");
  });

  it("is refused with another secret, another body or an old timestamp", () => {
    expect(() => stripe.webhooks.constructEvent(payload, signStripePayload(payload, "whsec_other"), "whsec_unit")).toThrow();
    expect(() =>
      stripe.webhooks.constructEvent(payload.replace("evt_1", "evt_2"), signStripePayload(payload, "whsec_unit"), "whsec_unit"),
    ).toThrow();
    const old = Math.floor(Date.now() / 1000) - 3600;
    expect(() => stripe.webhooks.constructEvent(payload, signStripePayload(payload, "whsec_unit", old), "whsec_unit")).toThrow(
      /tolerance/i,
    );
  });
});

describe("Stripe's form bodies", () => {
  it("parse into nested objects and arrays, as the SDK writes them", () => {
    const body =
      "mode=payment&line_items[0][quantity]=1&line_items[0][price_data][currency]=usd&line_items[0][price_data][unit_amount]=500" +
      "&line_items[0][price_data][product_data][name]=5%2C000%20credits&metadata[payment_id]=p1&success_url=http%3A%2F%2Fa%2Fs";
    expect(parseStripeForm(body)).toEqual({
      mode: "payment",
      line_items: [
        { quantity: "1", price_data: { currency: "usd", unit_amount: "500", product_data: { name: "5,000 credits" } } },
      ],
      metadata: { payment_id: "p1" },
      success_url: "http://a/s",
    });
  });
});

describe("the sandbox's billing periods", () => {
  const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);
  it("renew a month on, on the same day, clamped at shorter months' ends as Stripe does", () => {
    expect(addMonth(at("2026-12-07T03:30:00Z"))).toBe(at("2027-01-07T03:30:00Z"));
    expect(addMonth(at("2027-01-31T10:00:00Z"))).toBe(at("2027-02-28T10:00:00Z"));
    expect(addMonth(at("2028-01-31T10:00:00Z"))).toBe(at("2028-02-29T10:00:00Z"));
  });
});
