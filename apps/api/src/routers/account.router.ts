import { account, deleteAccountInput } from "@inkwell/domain/account";
import { subscriptions } from "@inkwell/domain/payments";
import { clearedSessionCookie } from "../trpc/context.ts";
import { OK, router, signedInProcedure, userProcedure } from "../trpc/init.ts";

/**
 * "Your data": exports (requested here, built by the worker, downloaded through a signed expiring
 * link to the files route) and account deletion (the password again; sessions end at once, the
 * worker deletes the rest). Deleting runs without a request transaction: argon2 and a system
 * transaction must not sit inside one.
 */
export const accountRouter = router({
  exports: router({
    list: userProcedure.query(({ ctx }) => account.listExports(ctx.deps, ctx.tx)),
    request: userProcedure.mutation(({ ctx }) =>
      account.requestExport({ ...ctx.deps, appUrl: ctx.deps.identity.appUrl }, ctx.tx, ctx.auth.userId),
    ),
  }),
  deletion: userProcedure.query(({ ctx }) => account.deletionStatus(ctx.tx)),
  delete: signedInProcedure.input(deleteAccountInput).mutation(async ({ ctx, input }) => {
    // A live subscription ends at Stripe first: a deleted account must not go on being charged.
    await account.requestDeletion(ctx.deps, ctx.auth.userId, input.password, () =>
      subscriptions.endSubscriptionsNow({ ...ctx.deps, payments: ctx.deps.payments ?? null }, ctx.auth.userId),
    );
    if (ctx.via === "cookie") ctx.setCookie(clearedSessionCookie(ctx.deps));
    return OK;
  }),
});
