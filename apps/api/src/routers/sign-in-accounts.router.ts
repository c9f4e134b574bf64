import { classrooms } from "@inkwell/domain/classrooms";
import { oauthSignIn } from "@inkwell/domain/identity";
import { z } from "zod";
import { OK, router, userProcedure } from "../trpc/init.ts";

/**
 * The other accounts (Clever, Google) the caller signs in with. Linking one is a redirect
 * (`/auth/oauth/:provider/start?link=1`); unlinking refuses the last way to sign in.
 */
export const signInAccountsRouter = router({
  list: userProcedure.query(({ ctx }) => oauthSignIn.listLinked(ctx.tx)),
  unlink: userProcedure.input(z.object({ id: z.uuid() })).mutation(async ({ ctx, input }) => {
    // Unlinking Clever releases the roster rows it claimed (and the Clever record), in the same transaction.
    await oauthSignIn.unlink(ctx.tx, ctx.auth, input.id, (tx, link) =>
      link.provider === "clever" ? classrooms.releaseCleverSignIn(tx, link) : Promise.resolve(),
    );
    return OK;
  }),
});
