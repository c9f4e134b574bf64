/** Payments: what is for sale, inputs and outputs. Imports only zod (the web shows the packs and a payment's state). */
import { z } from "zod";

export const PAYMENT_KINDS = ["credit_pack", "book_order", "subscription"] as const;
export type PaymentKind = (typeof PAYMENT_KINDS)[number];

export const PAYMENT_STATUSES = ["pending", "paid", "expired", "refunded"] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * Credit packs for sale. Bought credits are paid grants: they never expire and are spent after free
 * ones (see the credits module). Prices in cents; bigger packs cost less per credit.
 */
export const CREDIT_PACKS = [
  { id: "pack-5k", name: "Starter pack", credits: 5_000, priceCents: 500 },
  { id: "pack-25k", name: "Writer pack", credits: 25_000, priceCents: 2_000 },
  { id: "pack-100k", name: "Studio pack", credits: 100_000, priceCents: 6_000 },
] as const;
export type CreditPack = (typeof CREDIT_PACKS)[number];
export const PAYMENT_CURRENCY = "usd";

export const buyPackInput = z.object({
  packId: z.enum(CREDIT_PACKS.map((p) => p.id) as [CreditPack["id"], ...CreditPack["id"][]]),
});
export const paymentIdInput = z.object({ paymentId: z.uuid() });
export const listPaymentsInput = z.object({ limit: z.number().int().min(1).max(100).default(20) }).default({ limit: 20 });
export const adminRefundInput = z.object({
  paymentId: z.uuid(),
  reason: z.string().trim().min(1).max(200).optional(),
});

export type BuyPackInput = z.infer<typeof buyPackInput>;
export type AdminRefundInput = z.infer<typeof adminRefundInput>;

/** A payment as its owner sees it. */
export interface PaymentView {
  id: string;
  kind: PaymentKind;
  referenceId: string;
  description: string;
  amountCents: number;
  currency: string;
  credits: number | null;
  status: PaymentStatus;
  /** What fulfilment did ("Added 5,000 credits"), or on refund what was taken back. */
  outcome: string | null;
  createdAt: Date;
  paidAt: Date | null;
  refundedAt: Date | null;
}
