import { adminUsageInput, generationsInput, usage } from "@inkwell/domain/usage";
import { adminProcedure, router, signedInProcedure, userProcedure } from "../trpc/init.ts";

export const usageRouter = router({
  generations: userProcedure.input(generationsInput).query(({ ctx, input }) => usage.listGenerations(ctx.tx, input)),
  /** The operations the caller's own keys run, at 0 credits (the cost labels say so); reads the keys in a transaction of its own. */
  ownKeyOperations: signedInProcedure.query(({ ctx }) => usage.ownKeyOperations(ctx.deps, ctx.auth.userId)),
  adminSummary: adminProcedure.input(adminUsageInput).query(({ ctx, input }) => usage.adminUsage(ctx.deps.db, input)),
});
