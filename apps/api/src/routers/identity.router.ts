import { userConnectionsOf } from "@inkwell/domain/ai";
import {
  changePasswordInput,
  type IssuedSession,
  identity,
  idInput,
  requestPasswordResetInput,
  resetPasswordInput,
  saveApiKeyInput,
  signInInput,
  signUpInput,
  testAiConnectionInput,
  updateProfileInput,
  verifyEmailInput,
} from "@inkwell/domain/identity";
import { z } from "zod";
import { type Context, clearedSessionCookie, sessionCookie } from "../trpc/context.ts";
import { OK, publicProcedure, router, signedInProcedure, userProcedure } from "../trpc/init.ts";

/** Web clients get an httpOnly cookie; API clients ask for a bearer token in the answer instead. */
const delivery = z.object({ delivery: z.enum(["cookie", "bearer"]).default("cookie") });

function deliver(ctx: Context, session: IssuedSession, mode: "cookie" | "bearer") {
  if (mode === "bearer") return { token: session.token, expiresAt: session.expiresAt };
  ctx.setCookie(sessionCookie(ctx.deps, session.token, session.expiresAt));
  return { token: null, expiresAt: session.expiresAt };
}

const identityDeps = (ctx: Context) => ({ db: ctx.deps.db, config: ctx.deps.identity, enqueue: ctx.deps.enqueue });

export const authRouter = router({
  /**
   * The same answer whether or not the address already has an account (and no session either way, which
   * would tell): the mail says what happened. The person who just chose the password signs in with it.
   */
  signUp: publicProcedure.input(signUpInput).mutation(async ({ ctx, input }) => {
    await identity.signUp(identityDeps(ctx), input, ctx.meta);
    return OK;
  }),
  signIn: publicProcedure.input(signInInput.extend(delivery.shape)).mutation(async ({ ctx, input }) => {
    const { session, me } = await identity.signIn(identityDeps(ctx), input, ctx.meta);
    return { me, ...deliver(ctx, session, input.delivery) };
  }),
  /** The signed-in account, or null: the web asks this first to decide which screen to show. */
  me: publicProcedure.query(({ ctx }) =>
    ctx.tokenHash ? identity.meForSession(ctx.deps.db, ctx.tokenHash, ctx.deps.identity.sessionIdleSeconds) : null,
  ),
  signOut: userProcedure.mutation(async ({ ctx }) => {
    await identity.signOut(ctx.tx, ctx.auth);
    if (ctx.via === "cookie") ctx.setCookie(clearedSessionCookie(ctx.deps));
    return OK;
  }),
  signOutEverywhere: userProcedure.mutation(async ({ ctx }) => {
    await identity.signOutEverywhere(ctx.tx, ctx.auth);
    if (ctx.via === "cookie") ctx.setCookie(clearedSessionCookie(ctx.deps));
    return OK;
  }),
  verifyEmail: publicProcedure.input(verifyEmailInput).mutation(async ({ ctx, input }) => {
    await identity.verifyEmail(identityDeps(ctx), input.token);
    return OK;
  }),
  resendVerification: signedInProcedure.mutation(({ ctx }) => identity.resendVerification(identityDeps(ctx), ctx.auth)),
  requestPasswordReset: publicProcedure.input(requestPasswordResetInput).mutation(async ({ ctx, input }) => {
    await identity.requestPasswordReset(identityDeps(ctx), input.email, ctx.meta);
    return OK;
  }),
  resetPassword: publicProcedure.input(resetPasswordInput).mutation(async ({ ctx, input }) => {
    await identity.resetPassword(identityDeps(ctx), input.token, input.password);
    return OK;
  }),
  changePassword: signedInProcedure.input(changePasswordInput.extend(delivery.shape)).mutation(async ({ ctx, input }) => {
    const session = await identity.changePassword(identityDeps(ctx), ctx.auth, input, ctx.meta);
    return deliver(ctx, session, ctx.via === "bearer" ? "bearer" : input.delivery);
  }),
});

export const profileRouter = router({
  get: userProcedure.query(({ ctx }) => identity.getMe(ctx.tx, ctx.auth)),
  update: userProcedure.input(updateProfileInput).mutation(({ ctx, input }) => identity.updateProfile(ctx.tx, ctx.auth, input)),
});

export const sessionsRouter = router({
  list: userProcedure.query(({ ctx }) => identity.listSessions(ctx.tx, ctx.auth)),
  revoke: userProcedure.input(idInput).mutation(async ({ ctx, input }) => {
    await identity.revokeSession(ctx.tx, input.id);
    // Revoking the session you are using is signing out.
    if (input.id === ctx.auth.sessionId && ctx.via === "cookie") ctx.setCookie(clearedSessionCookie(ctx.deps));
    return OK;
  }),
});

export const apiKeysRouter = router({
  list: userProcedure.query(({ ctx }) => identity.listApiKeys(ctx.tx)),
  save: userProcedure
    .input(saveApiKeyInput)
    .mutation(({ ctx, input }) =>
      identity.saveApiKey(ctx.deps.keyRing, ctx.tx, ctx.auth, input, userConnectionsOf(ctx.deps.ai)?.policy),
    ),
  /** A real short call to the AI connection (entered or saved); no transaction is held during it. */
  testConnection: signedInProcedure
    .input(testAiConnectionInput)
    .mutation(({ ctx, input }) => identity.testAiConnection(ctx.deps, ctx.auth.userId, input)),
  delete: userProcedure.input(idInput).mutation(async ({ ctx, input }) => {
    await identity.deleteApiKey(ctx.tx, input.id);
    return OK;
  }),
});
