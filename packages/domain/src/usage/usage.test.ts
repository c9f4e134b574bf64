import { asSystem, asUser, createDb } from "@inkwell/db";
import type {} from "@inkwell/db/testing";
import { sql } from "kysely";
import { afterAll, describe, expect, inject, it } from "vitest";
import { credits } from "../credits/index.ts";
import { DomainError } from "../platform/errors.ts";
import * as usage from "./usage.service.ts";

const { db } = createDb({ url: inject("databaseUrl"), max: 12 });
afterAll(() => db.destroy());

let n = 0;
async function userWith(amount: number) {
  return asSystem(db, async (tx) => {
    const u = await tx
      .insertInto("users")
      .values({ email: `usage-${Date.now()}-${++n}@example.test`, password_hash: "x" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await credits.grant(tx, u.id, { source: "bonus", amount, idempotencyKey: "start" });
    return u.id;
  });
}

const outcome = { result: "done", model: "offline-1", inputTokens: 12, outputTokens: 34, latencyMs: 56 };

describe("metered AI calls", () => {
  it("charges the price on success and records the generation", async () => {
    const userId = await userWith(100);
    const r = await usage.runMetered(
      { db },
      { userId, ip: "10.0.0.1" },
      { operation: "study.generate", idempotencyKey: "a", request: { topic: "cells" }, topic: "cells", provider: "offline" },
      async () => outcome,
    );
    expect(r).toMatchObject({ result: "done", credits: 20 });
    const [g] = await asUser(db, userId, (tx) => usage.listGenerations(tx, { limit: 10 }));
    expect(g).toMatchObject({
      operation: "study.generate",
      topic: "cells",
      status: "succeeded",
      model: "offline-1",
      inputTokens: 12,
      outputTokens: 34,
      credits: 20,
    });
    expect((await asUser(db, userId, (tx) => credits.balance(tx, userId))).available).toBe(80);
  });

  it("costs nothing when the provider fails, and records why", async () => {
    const userId = await userWith(100);
    await expect(
      usage.runMetered(
        { db },
        { userId, ip: "10.0.0.2" },
        { operation: "image.generate", idempotencyKey: "b", request: {}, provider: "offline" },
        async () => {
          throw new DomainError("UPSTREAM_FAILED", "The image service failed (500).");
        },
      ),
    ).rejects.toThrow("image service failed");
    const balance = await asUser(db, userId, (tx) => credits.balance(tx, userId));
    expect(balance).toMatchObject({ available: 100, held: 0 });
    const [g] = await asUser(db, userId, (tx) => usage.listGenerations(tx, { limit: 10 }));
    expect(g).toMatchObject({ status: "failed", credits: 0, error: "The image service failed (500)." });
  });

  it("refuses to start when credits are short, before calling the provider", async () => {
    const userId = await userWith(10);
    let called = false;
    const error = await usage
      .runMetered(
        { db },
        { userId, ip: "10.0.0.3" },
        { operation: "image.generate", idempotencyKey: "c", request: {}, provider: "offline" },
        async () => {
          called = true;
          return outcome;
        },
      )
      .catch((e) => e);
    expect(error).toMatchObject({ code: "INSUFFICIENT_CREDITS" });
    expect(called).toBe(false);
  });

  it("a retried start (same key) is refused before the provider and writes nothing: one hold, one generation", async () => {
    const userId = await userWith(100);
    const request = {
      operation: "study.generate",
      idempotencyKey: "again",
      request: { topic: "x" },
      provider: "offline",
    } as const;
    await usage.runMetered({ db }, { userId, ip: "10.0.0.5" }, request, async () => outcome);
    let called = false;
    const error = await usage
      .runMetered({ db }, { userId, ip: "10.0.0.5" }, request, async () => {
        called = true;
        return outcome;
      })
      .catch((e) => e);
    expect(error).toMatchObject({ code: "PRECONDITION_FAILED" });
    expect(called).toBe(false);
    // The same key for another request is the hold's CONFLICT.
    const conflict = await usage
      .runMetered({ db }, { userId, ip: "10.0.0.5" }, { ...request, request: { topic: "y" } }, async () => outcome)
      .catch((e) => e);
    expect(conflict).toMatchObject({ code: "CONFLICT" });
    expect(await asUser(db, userId, (tx) => usage.listGenerations(tx, { limit: 10 }))).toHaveLength(1);
    expect((await asUser(db, userId, (tx) => credits.balance(tx, userId))).available).toBe(80);
  });

  it("a free start (a call on the user's own key) records the generation without any hold", async () => {
    const userId = await userWith(1);
    const r = await usage.runMetered(
      { db },
      { userId, ip: "10.0.0.6" },
      { operation: "chat.reply", idempotencyKey: "own", request: {}, topic: "t".repeat(600), provider: "openai", ownKey: true },
      async () => outcome,
    );
    expect(r.credits).toBe(0);
    const [g] = await asUser(db, userId, (tx) => usage.listGenerations(tx, { limit: 1 }));
    expect(g).toMatchObject({ provider: "own-key", status: "succeeded", credits: 0 });
    expect(g?.topic).toHaveLength(500);
  });

  it("a crashed generation's reservation is released by the worker's sweep and the generation marked failed", async () => {
    const userId = await userWith(100);
    const h = await asUser(db, userId, (tx) =>
      credits.hold(tx, userId, { operation: "image.generate", idempotencyKey: "crash", request: {}, ttlSeconds: 1 }),
    );
    await asUser(db, userId, (tx) =>
      tx
        .insertInto("generations")
        .values({ user_id: userId, operation: "image.generate", provider: "offline", hold_id: h.holdId })
        .execute(),
    );
    // While the hold lives, the sweep leaves it (and its credits) alone.
    await credits.releaseStaleHolds(db);
    expect((await asUser(db, userId, (tx) => credits.balance(tx, userId))).held).toBeGreaterThan(0);
    // Dated past its lifetime instead of waiting it out.
    await asSystem(db, (tx) =>
      sql`UPDATE credit_holds SET expires_at = now() - interval '1 second' WHERE id = ${h.holdId}`.execute(tx),
    );
    await credits.releaseStaleHolds(db);
    await usage.failOrphanedGenerations(db);
    const [g] = await asUser(db, userId, (tx) => usage.listGenerations(tx, { limit: 1 }));
    expect(g).toMatchObject({ status: "failed", credits: 0 });
    expect((await asUser(db, userId, (tx) => credits.balance(tx, userId))).available).toBe(100);
  });
  it("a generation without a hold (own key) left running by a crash is marked failed once older than a hold lives", async () => {
    const userId = await userWith(10);
    const [stale, fresh] = await asSystem(db, (tx) =>
      Promise.all(
        [sql<Date>`now() - interval '20 minutes'`, sql<Date>`now()`].map((createdAt) =>
          tx
            .insertInto("generations")
            .values({ user_id: userId, operation: "chat.reply", provider: "own-key", hold_id: null, created_at: createdAt })
            .returning("id")
            .executeTakeFirstOrThrow(),
        ),
      ),
    );
    await usage.failOrphanedGenerations(db);
    const rows = await asUser(db, userId, (tx) => usage.listGenerations(tx, { limit: 10 }));
    expect(rows.find((g) => g.id === stale?.id)).toMatchObject({ status: "failed", credits: 0 });
    // A call still within its time is left alone.
    expect(rows.find((g) => g.id === fresh?.id)).toMatchObject({ status: "running" });
  });
});

describe("generation rate limits", () => {
  it("lets exactly N through in a window, concurrently, and says when to retry", async () => {
    const userId = await userWith(10_000);
    const deps = {
      db,
      rateLimits: { "chat.reply": { perUser: { limit: 5, windowSeconds: 60 }, perIp: { limit: 100, windowSeconds: 60 } } },
    };
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        usage.takeRateLimit(deps, { userId, ip: "10.1.1.1" }, "chat.reply").then(
          () => "OK",
          (e: DomainError) => e,
        ),
      ),
    );
    expect(results.filter((r) => r === "OK")).toHaveLength(5);
    const limited = results.filter((r): r is DomainError => r !== "OK");
    expect(limited).toHaveLength(7);
    for (const e of limited) {
      expect(e.code).toBe("RATE_LIMITED");
      expect(e.details.retryAfterSeconds).toBeGreaterThan(0);
      expect(e.details.retryAfterSeconds).toBeLessThanOrEqual(60);
    }
  });

  it("counts per IP across users", async () => {
    const deps = {
      db,
      rateLimits: { "chat.reply": { perUser: { limit: 100, windowSeconds: 60 }, perIp: { limit: 3, windowSeconds: 60 } } },
    };
    const users = await Promise.all([userWith(10), userWith(10)]);
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      outcomes.push(
        await usage.takeRateLimit(deps, { userId: users[i % 2]!, ip: "10.9.9.9" }, "chat.reply").then(
          () => "OK",
          (e) => e.code,
        ),
      );
    }
    expect(outcomes).toEqual(["OK", "OK", "OK", "RATE_LIMITED"]);
  });

  it("a bucket's key travels as text whatever it holds (quotes, backslashes): counted like any other", async () => {
    const deps = {
      db,
      rateLimits: { "chat.reply": { perUser: { limit: 100, windowSeconds: 60 }, perIp: { limit: 2, windowSeconds: 60 } } },
    };
    const userId = await userWith(10);
    const ip = `10.7.7.7'); DELETE FROM generation_rate_limits; -- \\ ${Date.now()}`;
    await usage.takeRateLimit(deps, { userId, ip }, "chat.reply");
    await usage.takeRateLimit(deps, { userId, ip }, "chat.reply");
    await expect(usage.takeRateLimit(deps, { userId, ip }, "chat.reply")).rejects.toMatchObject({ code: "RATE_LIMITED" });
    const stored = await asSystem(db, (tx) =>
      tx.selectFrom("generation_rate_limits").select("bucket").where("bucket", "=", `ip:${ip}:chat.reply`).execute(),
    );
    expect(stored).toHaveLength(2);
  });

  it("frees the window as time passes (sliding)", async () => {
    const userId = await userWith(10);
    const deps = {
      db,
      rateLimits: { "chat.reply": { perUser: { limit: 2, windowSeconds: 1 }, perIp: { limit: 100, windowSeconds: 1 } } },
    };
    const actor = { userId, ip: "10.4.4.4" };
    await usage.takeRateLimit(deps, actor, "chat.reply");
    await usage.takeRateLimit(deps, actor, "chat.reply");
    await expect(usage.takeRateLimit(deps, actor, "chat.reply")).rejects.toMatchObject({ code: "RATE_LIMITED" });
    await new Promise((r) => setTimeout(r, 1100));
    await usage.takeRateLimit(deps, actor, "chat.reply");
  });
});
