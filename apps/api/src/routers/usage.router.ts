import { adminUsageInput, generationsInput, usage } from "@inkwell/domain/usage";
import { adminProcedure, router, userProcedure } from "../trpc/init.ts";

export const usageRouter = router({
  generations: userProcedure.input(generationsInput).query(({ ctx, input }) => usage.listGenerations(ctx.tx, input)),
  adminSummary: adminProcedure.input(adminUsageInput).query(({ ctx, input }) => usage.adminUsage(ctx.deps.db, input)),
});
