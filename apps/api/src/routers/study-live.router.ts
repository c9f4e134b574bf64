import { defaultEngine } from "@inkwell/domain/generation";
import { DomainError } from "@inkwell/domain/platform/errors";
import {
  createLiveInput,
  listLiveInput,
  live,
  liveAnswerInput,
  liveInviteInput,
  liveJoinInput,
  liveKickInput,
  liveNextInput,
  livePlayerInput,
  liveSessionIdInput,
  liveWatchInput,
} from "@inkwell/domain/study";
import type { Context } from "../trpc/context.ts";
import { OK, publicProcedure, router, signedInProcedure, userProcedure } from "../trpc/init.ts";

/** Live notices travel on the API's one generation bus (in-process, and LISTEN/NOTIFY between processes). */
const liveDeps = (ctx: Context) => ({ db: ctx.deps.db, bus: defaultEngine.bus });

/**
 * A live view ends after this long (LIVE_WATCH_MAX_MS shortens it for tests); the pages open a new one,
 * which starts with the state as it is then.
 */
const watchMaxMs = () => {
  const ms = Number(process.env.LIVE_WATCH_MAX_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : 30 * 60_000;
};

/**
 * Open live views per key (per API process). A host needs one or two (a projector and a laptop); a player
 * one per tab. A classroom plays from behind one address, so the per-address cap is generous: it stops a
 * script, not a class.
 */
export const LIVE_CAPS = { perHost: 8, perPlayer: 3, perAddress: 600 } as const;
const open = new Map<string, number>();

function claim(keys: [string, number][]): () => void {
  for (const [key, max] of keys)
    if ((open.get(key) ?? 0) >= max) throw new DomainError("RATE_LIMITED", "Too many live views are open; close another tab.");
  for (const [key] of keys) open.set(key, (open.get(key) ?? 0) + 1);
  return () => {
    for (const [key] of keys) {
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key);
    }
  };
}

/** Opens the stream (its refusal, e.g. NOT_FOUND, is the subscription's error) and frees the place when it ends. */
async function held<T>(release: () => void, open: () => Promise<AsyncGenerator<T>>): Promise<AsyncGenerator<T>> {
  let stream: AsyncGenerator<T>;
  try {
    stream = await open();
  } catch (error) {
    release();
    throw error;
  }
  return (async function* () {
    try {
      yield* stream;
    } finally {
      release();
    }
  })();
}

/**
 * Live quiz sessions (issue 15 item 5). The host's procedures are the signed-in user's (RLS: only their
 * own sessions); those that move the game open their own transaction in the service, so the live notice
 * goes out after the commit. Players have no account: their procedures are public and authenticated by
 * the player token they got from `join` (in the input), scoped to the session it belongs to.
 */
export const studyLiveRouter = router({
  create: userProcedure.input(createLiveInput).mutation(({ ctx, input }) => live.create(ctx.tx, ctx.auth.userId, input)),
  list: userProcedure.input(listLiveInput.optional()).query(({ ctx, input }) => live.list(ctx.tx, input?.limit)),
  get: userProcedure.input(liveSessionIdInput).query(({ ctx, input }) => live.get(ctx.tx, input.sessionId)),
  start: signedInProcedure
    .input(liveSessionIdInput)
    .mutation(({ ctx, input }) => live.start(liveDeps(ctx), ctx.auth.userId, input.sessionId)),
  next: signedInProcedure
    .input(liveNextInput)
    .mutation(({ ctx, input }) => live.next(liveDeps(ctx), ctx.auth.userId, input.sessionId, input.expect)),
  end: signedInProcedure
    .input(liveSessionIdInput)
    .mutation(({ ctx, input }) => live.end(liveDeps(ctx), ctx.auth.userId, input.sessionId)),
  kick: signedInProcedure
    .input(liveKickInput)
    .mutation(({ ctx, input }) => live.kick(liveDeps(ctx), ctx.auth.userId, input.sessionId, input.playerId)),
  invite: signedInProcedure
    .input(liveInviteInput)
    .mutation(({ ctx, input }) => live.invite(liveDeps(ctx), ctx.auth.userId, input)),
  // Refused in the resolver when too many are open (TOO_MANY_REQUESTS, which the SSE link does not retry).
  watch: signedInProcedure.input(liveWatchInput).subscription(({ ctx, input, signal }) => {
    const release = claim([[`host:${ctx.auth.userId}`, LIVE_CAPS.perHost]]);
    return held(release, () => live.watch(liveDeps(ctx), ctx.auth.userId, input.sessionId, { signal, maxMs: watchMaxMs() }));
  }),

  // Joins per address are counted in the database (live.JOINS_PER_MINUTE), shared by every API process.
  join: publicProcedure.input(liveJoinInput).mutation(({ ctx, input }) => live.join(liveDeps(ctx), input, { ip: ctx.meta.ip })),
  state: publicProcedure.input(livePlayerInput).query(({ ctx, input }) => live.state(liveDeps(ctx), input)),
  answer: publicProcedure.input(liveAnswerInput).mutation(({ ctx, input }) => live.answer(liveDeps(ctx), input)),
  leave: publicProcedure.input(livePlayerInput).mutation(async ({ ctx, input }) => {
    await live.leave(liveDeps(ctx), input);
    return OK;
  }),
  play: publicProcedure.input(livePlayerInput).subscription(({ ctx, input, signal }) => {
    const release = claim([
      [`player:${input.sessionId}:${input.token}`, LIVE_CAPS.perPlayer],
      [`ip:${ctx.meta.ip}`, LIVE_CAPS.perAddress],
    ]);
    return held(release, () => live.play(liveDeps(ctx), input, { signal, maxMs: watchMaxMs() }));
  }),
});
