import { adminGrantInput, credits, historyInput } from "@inkwell/domain/credits";
import { adminProcedure, publicProcedure, router, userProcedure } from "../trpc/init.ts";

export const creditsRouter = router({
  balance: userProcedure.query(({ ctx }) => credits.balance(ctx.tx, ctx.auth.userId)),
  history: userProcedure.input(historyInput).query(({ ctx, input }) => credits.history(ctx.tx, input)),
  /** What each operation costs, for the credits page and the "costs N credits" labels. */
  prices: publicProcedure.query(() => credits.priceList()),
  adminGrant: adminProcedure.input(adminGrantInput).mutation(({ ctx, input }) => credits.adminGrant(ctx.deps.db, input)),
  adminReconcile: adminProcedure.mutation(({ ctx }) => credits.reconcile(ctx.deps.db, ctx.deps.log)),
});
