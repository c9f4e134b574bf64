/** Payments: what is for sale, inputs and outputs. Imports only zod and schemas (the web shows the packs, plans and a payment's state). */
import { z } from "zod";
import { MONTHLY_GRANTS } from "../credits/credits.schemas.ts";

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

/**
 * Subscription plans: the paid tiers of identity's `subscription_tier`, monthly. Each renewal grants
 * the tier's monthly credits (the credits module's `MONTHLY_GRANTS`) for that billing period.
 */
export const PAID_TIERS = ["basic", "pro", "enterprise"] as const;
export type PaidTier = (typeof PAID_TIERS)[number];
export type PlanTier = "free" | PaidTier;
export const SUBSCRIPTION_PLANS = [
  { tier: "basic", name: "Basic", priceCents: 900, monthlyCredits: MONTHLY_GRANTS.basic },
  { tier: "pro", name: "Pro", priceCents: 2_900, monthlyCredits: MONTHLY_GRANTS.pro },
  { tier: "enterprise", name: "Enterprise", priceCents: 9_900, monthlyCredits: MONTHLY_GRANTS.enterprise },
] as const satisfies readonly { tier: PaidTier; name: string; priceCents: number; monthlyCredits: number }[];
export const FREE_MONTHLY_CREDITS = MONTHLY_GRANTS.free;
/** How long a paid tier is kept after a renewal fails before the account falls back to free. */
export const GRACE_DAYS = 7;

export const SUBSCRIPTION_STATUSES = ["incomplete", "active", "past_due", "canceled"] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export const tierInput = z.object({ tier: z.enum(PAID_TIERS) });
export const failNextRenewalInput = z.object({ fail: z.boolean().default(true) }).default({ fail: true });
export type TierInput = z.infer<typeof tierInput>;

export interface SubscriptionView {
  id: string;
  tier: PaidTier;
  status: SubscriptionStatus;
  cancelAtPeriodEnd: boolean;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  /** While a renewal is unpaid: the paid tier is kept until then. */
  graceUntil: Date | null;
  createdAt: Date;
  endedAt: Date | null;
}

export interface SubscriptionInvoiceView {
  id: string;
  tier: PaidTier;
  billingReason: string;
  amountCents: number;
  currency: string;
  status: "paid" | "failed";
  periodStart: Date;
  periodEnd: Date;
  hostedUrl: string | null;
  outcome: string | null;
}

/** The billing page: the plan identity holds, the live subscription behind it, and its invoices. */
export interface BillingView {
  tier: PlanTier;
  tierExpiresAt: Date | null;
  subscription: SubscriptionView | null;
  invoices: SubscriptionInvoiceView[];
}
