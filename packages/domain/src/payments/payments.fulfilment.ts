/**
 * What a paid payment delivers, per kind. Payments knows how money moves; each kind says what the
 * money buys and how a refund undoes it. Credit packs are built in; book orders (and subscriptions)
 * register theirs from their own module, so payments never imports the modules that sell through it.
 *
 * Both functions run in the system transaction that changes the payment's status, so the delivery and
 * the status commit together (or neither does and the event is processed again).
 */
import type { Tx } from "@inkwell/db";
import { credits } from "../credits/index.ts";
import type { PaymentRow } from "./payments.repository.ts";
import type { PaymentKind } from "./payments.schemas.ts";

export interface Fulfilment {
  /** Delivers what was bought; returns the line the buyer sees ("Added 5,000 credits"). */
  fulfil(tx: Tx, payment: PaymentRow): Promise<string>;
  /** Undoes it after a full refund; returns what it did. */
  refund(tx: Tx, payment: PaymentRow): Promise<string>;
}

const registry = new Map<PaymentKind, Fulfilment>();

export function registerFulfilment(kind: PaymentKind, fulfilment: Fulfilment): void {
  if (registry.has(kind)) throw new Error(`payments: fulfilment for ${kind} is registered twice`);
  registry.set(kind, fulfilment);
}

/** Throws (so the job retries) when the kind's module has not registered yet. */
export function fulfilmentFor(kind: PaymentKind): Fulfilment {
  const found = registry.get(kind);
  if (!found) throw new Error(`payments: no fulfilment registered for ${kind}`);
  return found;
}

const n = (value: number) => value.toLocaleString("en-US");

/** The purchase grant's key: one grant per payment whatever delivers it (webhook, return page, retry). */
export const purchaseGrantKey = (paymentId: string) => `payment:${paymentId}`;

registerFulfilment("credit_pack", {
  async fulfil(tx, payment) {
    const amount = payment.credits ?? 0;
    await credits.grant(tx, payment.user_id, {
      source: "purchase",
      amount,
      idempotencyKey: purchaseGrantKey(payment.id),
      expiresAt: null,
      note: payment.description,
    });
    return `Added ${n(amount)} credits`;
  },
  async refund(tx, payment) {
    const r = await credits.reclaimPurchase(tx, payment.user_id, purchaseGrantKey(payment.id), "Payment refunded");
    if (!r.found) return "Refunded; no credits had been added";
    const notes = [
      ...(r.spent > 0 ? [`${n(r.spent)} were already used`] : []),
      ...(r.kept > 0 ? [`${n(r.kept)} were reserved by a running generation and stay`] : []),
    ];
    return `Refunded; ${n(r.reclaimed)} ${r.spent > 0 || r.kept > 0 ? "unused " : ""}credits taken back${notes.length ? ` (${notes.join("; ")})` : ""}`;
  },
});
