/**
 * tRPC setup: the procedure kinds and the RLS transaction.
 *
 * - publicProcedure: no session needed.
 * - userProcedure: runs inside one transaction as the signed-in user (RLS via asSession); the
 *   procedure gets `ctx.tx` and `ctx.auth`. A failed procedure rolls the transaction back.
 * - signedInProcedure: the session is checked (in its own short transaction) and the procedure gets
 *   `ctx.auth` but no open transaction: for flows that hash passwords, call out, or open their own
 *   transactions. Holding a transaction across those would pin a connection (and, on the embedded
 *   database, which runs one transaction at a time, stall everyone).
 * - adminProcedure: a signedInProcedure whose user has the admin role.
 */
import { asSession, type SessionAuth, type Tx } from "@inkwell/db";
import { DISALLOWED_TEXT_MESSAGE, findDisallowedText } from "@inkwell/domain/platform";
import { DomainError } from "@inkwell/domain/platform/errors";
import { getTRPCErrorFromUnknown, initTRPC, TRPCError } from "@trpc/server";
import { ZodError, z } from "zod";
import type { Context } from "./context.ts";
import { toTRPCError } from "./errors.ts";

export type Access = "public" | "user" | "admin";
/** Each procedure kind below sets `access`; a procedure adds `bodyLimit` with `.meta()` (tRPC merges meta). */
export interface Meta {
  access?: Access;
  /**
   * The largest request body a call may send, in bytes, when its input can be larger than the edge's
   * default (64 KiB: ids, titles, a chat message). The edge reads every procedure's limit once at start
   * (http/procedures.ts) and refuses a larger body before reading it. Size it from the input schema: a
   * text of N characters is at most ~3N bytes of UTF-8 (6N if every character were escaped), a base64
   * upload the file's limit × 4/3 plus the JSON around it.
   */
  bodyLimit?: number;
}

export const KiB = 1024;
export const MiB = 1024 * KiB;

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      return {
        ...shape,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          // Field-level messages for forms: [{ path: "email", message: "Enter a valid e-mail address" }]
          issues:
            cause instanceof ZodError
              ? cause.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }))
              : cause instanceof DomainError && cause.details.field
                ? [{ path: cause.details.field, message: cause.message }]
                : null,
          domainCode: cause instanceof DomainError ? cause.code : null,
          retryAfterSeconds: cause instanceof DomainError ? (cause.details.retryAfterSeconds ?? null) : null,
          // For INSUFFICIENT_CREDITS: what the operation needs and what the user has, for the web to show.
          credits: cause instanceof DomainError ? (cause.details.credits ?? null) : null,
        },
        // Never leak internals: unexpected errors get a generic message.
        message: error.code === "INTERNAL_SERVER_ERROR" ? "Something went wrong on our side. Please try again." : shape.message,
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Cookies ride along on cross-site requests: a cookie-authenticated mutation must come from our own
 * pages. Checked here (not in Hono) so the refusal has tRPC's error shape, batches included.
 */
function refuseCrossSiteMutation(ctx: Context, type: string) {
  if (type === "mutation" && ctx.via === "cookie" && !ctx.sameOrigin) {
    throw new DomainError("FORBIDDEN", "This request came from another site and was refused.");
  }
}

/**
 * The edge rule for text, before any schema runs: no string anywhere in the input (values or keys) may
 * hold NUL, another C0 control character other than tab and line breaks, DEL, or a lone surrogate.
 * Postgres refuses NUL, the driver silently rewrites lone surrogates, and control characters hide in
 * what the web shows; one rule here covers every procedure, including fields whose schema is a plain
 * z.string() (fields declared with `text()` from platform/text.ts also refuse them, with form messages).
 */
function refuseDisallowedText(input: unknown) {
  const found = findDisallowedText(input);
  if (found) {
    throw new DomainError(
      "INVALID_INPUT",
      found.path ? `${found.path}: ${DISALLOWED_TEXT_MESSAGE}.` : `${DISALLOWED_TEXT_MESSAGE}.`,
      {
        ...(found.path ? { field: found.path } : {}),
      },
    );
  }
}

type EdgeOptions = { ctx: Context; path: string; type: string; getRawInput: () => Promise<unknown> };

/**
 * Outermost, and what every procedure passes: the two edge rules above, then the rest of the call
 * (`inner`), whose failure is mapped here from domain and database errors to its tRPC code (the
 * unexpected ones are logged); what `inner` throws is first wrapped as tRPC wraps what a middleware
 * throws. One middleware rather than three: tRPC copies the call's options and context at every
 * level, which was a visible share of a small read's CPU.
 */
async function withEdgeRules<R extends { ok: true } | { ok: false; error: TRPCError }>(
  { ctx, path, type, getRawInput }: EdgeOptions,
  inner: () => Promise<R>,
): Promise<Extract<R, { ok: true }>> {
  const result: R | { ok: false; error: TRPCError } = await (async () => {
    try {
      refuseCrossSiteMutation(ctx, type);
      refuseDisallowedText(await getRawInput());
    } catch (cause) {
      // As tRPC itself wraps what a middleware throws (a malformed input is already a TRPCError).
      const error = cause instanceof TRPCError ? cause : new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause });
      return { ok: false as const, error };
    }
    try {
      return await inner();
    } catch (cause) {
      // What tRPC makes of an error thrown by a middleware below this one.
      return { ok: false as const, error: getTRPCErrorFromUnknown(cause) };
    }
  })();
  if (result.ok) return result as Extract<R, { ok: true }>;
  const mapped = toTRPCError((result as { error: TRPCError }).error);
  if (mapped.code === "INTERNAL_SERVER_ERROR") {
    ctx.deps.log.error({ err: mapped.cause ?? mapped, path, type, requestId: ctx.requestId }, "procedure failed");
  }
  throw mapped;
}

const edgeRules = t.middleware((opts) => withEdgeRules(opts, () => opts.next()));

const base = t.procedure.use(edgeRules);

export const publicProcedure = base.meta({ access: "public" });

/**
 * The edge rules and the session transaction in one middleware (not `base` plus another): each tRPC
 * middleware level copies the call's options and context, a visible share of a small read's CPU.
 */
export const userProcedure = t.procedure.meta({ access: "user" }).use((opts) =>
  withEdgeRules(opts, () => {
    const { ctx, next } = opts;
    if (!ctx.tokenHash) throw new DomainError("UNAUTHENTICATED", "Please sign in.");
    return asSession(ctx.deps.db, ctx.tokenHash, ctx.deps.identity.sessionIdleSeconds, async (tx, auth) => {
      if (!auth) throw new DomainError("UNAUTHENTICATED", "Your session has ended. Please sign in again.");
      const result = await next({ ctx: { tx, auth } });
      // next() reports failure instead of throwing: re-throw, or the transaction would commit.
      if (!result.ok) throw result.error;
      return result;
    });
  }),
);

export const signedInProcedure = base.meta({ access: "user" }).use(async ({ ctx, next }) => {
  if (!ctx.tokenHash) throw new DomainError("UNAUTHENTICATED", "Please sign in.");
  const auth = await asSession(ctx.deps.db, ctx.tokenHash, ctx.deps.identity.sessionIdleSeconds, async (_tx, auth) => auth);
  if (!auth) throw new DomainError("UNAUTHENTICATED", "Your session has ended. Please sign in again.");
  return next({ ctx: { auth } });
});

export const adminProcedure = signedInProcedure.meta({ access: "admin" }).use(({ ctx, next }) => {
  if (ctx.auth.role !== "admin") throw new DomainError("FORBIDDEN", "Only administrators can do this.");
  return next();
});

export type UserCtx = Context & { tx: Tx; auth: SessionAuth };

export const ok = z.object({ ok: z.literal(true) });
export const OK = { ok: true as const };
export { TRPCError };
