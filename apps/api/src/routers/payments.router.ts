import {
  adminRefundInput,
  buyPackInput,
  failNextRenewalInput,
  listPaymentsInput,
  type PaymentsDeps,
  paymentIdInput,
  payments,
  subscriptions,
  tierInput,
} from "@inkwell/domain/payments";
import type { Context } from "../trpc/context.ts";
import { adminProcedure, publicProcedure, router, signedInProcedure, userProcedure } from "../trpc/init.ts";

const paymentsDeps = (ctx: Context): PaymentsDeps => ({
  db: ctx.deps.db,
  payments: ctx.deps.payments ?? null,
  enqueue: ctx.deps.enqueue,
  log: ctx.deps.log,
});

/**
 * Payments. Buying, checking a payment on return and refunding call Stripe, so they hold no
 * transaction (signedInProcedure / adminProcedure) and open short ones of their own; the list is an
 * ordinary RLS read. Stripe's events arrive at the Hono route /webhooks/stripe.
 */
export const paymentsRouter = router({
  packs: publicProcedure.query(({ ctx }) => ({ available: Boolean(ctx.deps.payments), packs: payments.creditPacks() })),
  buyPack: signedInProcedure
    .input(buyPackInput)
    .mutation(({ ctx, input }) => payments.buyCreditPack(paymentsDeps(ctx), ctx.auth.userId, input)),
  get: signedInProcedure
    .input(paymentIdInput)
    .query(({ ctx, input }) => payments.get(paymentsDeps(ctx), ctx.auth.userId, input.paymentId)),
  list: userProcedure.input(listPaymentsInput).query(({ ctx, input }) => payments.list(ctx.tx, ctx.auth.userId, input.limit)),
  adminRefund: adminProcedure
    .input(adminRefundInput)
    .mutation(({ ctx, input }) => payments.adminRefund(paymentsDeps(ctx), input)),

  // Subscriptions (the billing page). Each acts on the caller's own subscription, found by their id.
  plans: publicProcedure.query(({ ctx }) => ({
    available: Boolean(ctx.deps.payments),
    sandbox: Boolean(ctx.deps.payments?.sandboxControl),
    plans: subscriptions.plans(),
  })),
  billing: userProcedure.query(({ ctx }) => subscriptions.billing(ctx.tx, ctx.auth.userId)),
  subscribe: signedInProcedure
    .input(tierInput)
    .mutation(({ ctx, input }) => subscriptions.subscribe(paymentsDeps(ctx), ctx.auth.userId, input)),
  changePlan: signedInProcedure
    .input(tierInput)
    .mutation(({ ctx, input }) => subscriptions.changePlan(paymentsDeps(ctx), ctx.auth.userId, input)),
  cancelSubscription: signedInProcedure.mutation(({ ctx }) =>
    subscriptions.setCancelAtPeriodEnd(paymentsDeps(ctx), ctx.auth.userId, true),
  ),
  resumeSubscription: signedInProcedure.mutation(({ ctx }) =>
    subscriptions.setCancelAtPeriodEnd(paymentsDeps(ctx), ctx.auth.userId, false),
  ),
  sandboxRenewNow: signedInProcedure.mutation(({ ctx }) =>
    subscriptions.sandboxControl(paymentsDeps(ctx), ctx.auth.userId, { kind: "advance" }),
  ),
  sandboxFailNextRenewal: signedInProcedure
    .input(failNextRenewalInput)
    .mutation(({ ctx, input }) =>
      subscriptions.sandboxControl(paymentsDeps(ctx), ctx.auth.userId, { kind: "fail-next-renewal", fail: input.fail }),
    ),
});
