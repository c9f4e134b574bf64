import { asSystem } from "@inkwell/db";
import { adminGrantInput, credits, historyInput } from "@inkwell/domain/credits";
import { idInput } from "@inkwell/domain/identity";
import { notifications } from "@inkwell/domain/notifications";
import { adminUsageInput, generationsInput, usage } from "@inkwell/domain/usage";
import { z } from "zod";
import { adminProcedure, OK, publicProcedure, router, userProcedure } from "../trpc/init.ts";

export const creditsRouter = router({
  balance: userProcedure.query(({ ctx }) => credits.balance(ctx.tx, ctx.auth.userId)),
  history: userProcedure.input(historyInput).query(({ ctx, input }) => credits.history(ctx.tx, input)),
  /** What each operation costs, for the credits page and the "costs N credits" labels. */
  prices: publicProcedure.query(() => credits.priceList()),
  adminGrant: adminProcedure.input(adminGrantInput).mutation(({ ctx, input }) =>
    asSystem(ctx.deps.db, (tx) =>
      credits.grant(tx, input.userId, {
        source: input.source,
        amount: input.amount,
        idempotencyKey: `${input.source}:${input.idempotencyKey}`,
        expiresAt: input.expiresAt ?? null,
        note: input.note ?? null,
      }),
    ),
  ),
  adminReconcile: adminProcedure.mutation(({ ctx }) => credits.reconcile(ctx.deps.db, ctx.deps.log)),
});

export const usageRouter = router({
  generations: userProcedure.input(generationsInput).query(({ ctx, input }) => usage.listGenerations(ctx.tx, input)),
  adminSummary: adminProcedure.input(adminUsageInput).query(({ ctx, input }) => usage.adminUsage(ctx.deps.db, input)),
});

export const notificationsRouter = router({
  list: userProcedure
    .input(z.object({ unreadOnly: z.boolean().default(false) }).default({ unreadOnly: false }))
    .query(({ ctx, input }) => notifications.list(ctx.tx, input)),
  markRead: userProcedure.input(idInput).mutation(async ({ ctx, input }) => {
    await notifications.markRead(ctx.tx, input.id);
    return OK;
  }),
  unreadCount: userProcedure.query(({ ctx }) => notifications.unreadCount(ctx.tx)),
  markAllRead: userProcedure.mutation(async ({ ctx }) => ({ marked: await notifications.markAllRead(ctx.tx) })),
});
