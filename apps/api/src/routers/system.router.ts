import { admin } from "@inkwell/domain/admin";
import { publicProcedure, router } from "../trpc/init.ts";

/** About this installation (not a module of its own: what the web shows in its shell). */
export const systemRouter = router({
  /** What the web shows about this installation, e.g. that AI output is offline (deterministic) here. */
  info: publicProcedure.query(({ ctx }) => ({
    ai: { provider: ctx.deps.ai.name, offline: ctx.deps.ai.offline },
    // Whether publishing goes to the local sandbox platform, and where its feed page is.
    publishing: { sandbox: ctx.deps.publishing.sandbox, sandboxFeedUrl: ctx.deps.publishing.sandboxFeedUrl },
    // Whether reels' view counts and thumbnails come from the local stand-in (placeholder numbers).
    studio: { reelStatsSandbox: ctx.deps.reelStatsSandbox ?? false },
  })),
  /** The banner every visitor sees: the maintenance message when set, and the enabled, unexpired announcements. */
  announcements: publicProcedure.query(({ ctx }) => admin.activeAnnouncements(ctx.deps.db)),
});
