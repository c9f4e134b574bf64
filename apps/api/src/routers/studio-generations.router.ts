import { DomainError } from "@inkwell/domain/platform/errors";
import {
  createGenerationInput,
  type GenerationChange,
  generationIdInput,
  generationResultInput,
  generations,
  listGenerationsInput,
  toPostInput,
  watchGenerationsInput,
} from "@inkwell/domain/studio";
import { tracked } from "@trpc/server";
import type { Context } from "../trpc/context.ts";
import { router, signedInProcedure, userProcedure } from "../trpc/init.ts";

/** How often the watch subscription asks the database what changed (one indexed query per tick). */
export const WATCH_INTERVAL_MS = 500;
/**
 * A watch ends after this long (STUDIO_WATCH_MAX_MS shortens it for tests); the page opens a new one
 * from the last change it saw (the SSE link does not reopen a stream the server ended).
 */
const watchMaxMs = () => {
  const ms = Number(process.env.STUDIO_WATCH_MAX_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : 10 * 60_000;
};

/**
 * Watches one user may have open at once (per API process): each costs two queries a second, so a
 * script opening hundreds would be a load on the database of its own. A page uses one.
 */
export const MAX_WATCHES_PER_USER = 8;
const watching = new Map<string, number>();

const actor = (ctx: Context & { auth: { userId: string } }) => ({ userId: ctx.auth.userId, ip: ctx.meta.ip });
/**
 * updated_at is the writing transaction's start: one that started earlier may commit after a later one
 * was seen. Each query reaches this far back and skips what it already yielded (per id and instant).
 */
const OVERLAP_MS = 5_000;

function sleep(ms: number, signal?: AbortSignal) {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Image generations (issue 14.4). Reads, cancel and toPost run in the caller's RLS transaction; create
 * reads the caller's saved image key first (a short transaction of its own) and so is a signedInProcedure,
 * as is saveAsAsset (it stores bytes outside any transaction). The worker does the rest.
 *
 * `watch` polls: every 500 ms one indexed query (`user_id, updated_at > since`, at most 100 rows) in a
 * short transaction of the caller's, yielding each changed generation. Chosen over LISTEN/NOTIFY
 * because the worker's writes are in other processes and the embedded database delivers no
 * notifications; a subscriber costs two cheap queries a second and holds no connection between them
 * (the bench measures it). Events are `tracked` by their updatedAt, so a reconnect resumes after it.
 */
export const studioGenerationsRouter = router({
  create: signedInProcedure
    .input(createGenerationInput)
    .mutation(({ ctx, input }) => generations.start(ctx.deps, actor(ctx), input)),
  list: userProcedure.input(listGenerationsInput).query(({ ctx, input }) => generations.list(ctx.deps, ctx.tx, input)),
  get: userProcedure.input(generationIdInput).query(({ ctx, input }) => generations.get(ctx.deps, ctx.tx, input.generationId)),
  cancel: userProcedure
    .input(generationIdInput)
    .mutation(({ ctx, input }) => generations.cancel(ctx.deps, ctx.tx, ctx.auth.userId, input.generationId)),
  saveAsAsset: signedInProcedure
    .input(generationResultInput)
    .mutation(({ ctx, input }) => generations.saveAsAsset(ctx.deps, ctx.auth.userId, input)),
  toPost: userProcedure
    .input(toPostInput)
    .mutation(({ ctx, input }) => generations.toPost(ctx.deps, ctx.tx, ctx.auth.userId, input)),
  // Refused in the resolver (a TOO_MANY_REQUESTS answer, which the SSE link does not retry); counted while it runs.
  watch: signedInProcedure.input(watchGenerationsInput).subscription(({ ctx, input, signal }) => {
    const userId = ctx.auth.userId;
    if ((watching.get(userId) ?? 0) >= MAX_WATCHES_PER_USER)
      throw new DomainError("RATE_LIMITED", "Too many generation watches are open; close another tab of this page.");
    return (async function* () {
      watching.set(userId, (watching.get(userId) ?? 0) + 1);
      try {
        yield* watchChanges(ctx, input, signal);
      } finally {
        const left = (watching.get(userId) ?? 1) - 1;
        if (left > 0) watching.set(userId, left);
        else watching.delete(userId);
      }
    })();
  }),
});

async function* watchChanges(
  ctx: Context & { auth: { userId: string } },
  input: { since?: Date | undefined; lastEventId?: string | undefined },
  signal: AbortSignal | undefined,
) {
  const resumed = input.lastEventId ? new Date(input.lastEventId) : null;
  let since = (resumed && !Number.isNaN(resumed.getTime()) ? resumed : (input.since ?? new Date())).getTime();
  const seen = new Map<string, number>();
  const until = Date.now() + watchMaxMs();
  while (!signal?.aborted && Date.now() < until) {
    const from = new Date(since - OVERLAP_MS);
    const changes: GenerationChange[] = await generations.changesOf(ctx.deps, ctx.auth.userId, from);
    for (const change of changes) {
      const at = change.updatedAt.getTime();
      if (seen.get(change.id) === at) continue;
      seen.set(change.id, at);
      since = Math.max(since, at);
      yield tracked(change.updatedAt.toISOString(), change);
    }
    for (const [id, at] of seen) if (at < since - 2 * OVERLAP_MS) seen.delete(id);
    await sleep(WATCH_INTERVAL_MS, signal);
  }
}
