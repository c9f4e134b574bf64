/**
 * Saved reels on a real database: dedupe per user, the approval rule and the user's override, the
 * stats job against the local stats service (over HTTP, thumbnail stored as the owner's file), the
 * refresh limits, and one user never reaching another's reels.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asSystem, asUser, createDb } from "@inkwell/db";
import type {} from "@inkwell/db/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { files, LocalDiskStorage } from "../files/index.ts";
import { DomainError } from "../platform/errors.ts";
import type { Enqueue } from "../platform/index.ts";
import { generateKeySpec, parseKeyRing } from "../platform/secret-box.ts";
import { createReelStatsClient, type FetchDeps, reels } from "./index.ts";
import { type ReelStatsSandbox, startReelStatsSandbox } from "./testing/index.ts";

const { db } = createDb({ url: inject("databaseUrl"), max: 6 });
const keyRing = parseKeyRing(generateKeySpec("s1"));
const quiet = { info() {}, warn() {}, error() {} };
let root: string;
let sandbox: ReelStatsSandbox;
let fetchDeps: FetchDeps;
let enqueued: { name: string; data: unknown }[] = [];
const enqueue: Enqueue = async (_tx, job, data) => {
  enqueued.push({ name: job.name, data });
};
const deps = { keyRing, enqueue };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "inkwell-studio-"));
  sandbox = await startReelStatsSandbox({ apiKey: "rs-test-key" });
  fetchDeps = {
    db,
    storage: new LocalDiskStorage(root),
    reelStats: createReelStatsClient({ baseUrl: sandbox.url, apiKey: "rs-test-key", timeoutMs: 2_000 }),
    log: quiet,
  };
});
afterAll(async () => {
  await sandbox?.stop();
  await db.destroy();
  await rm(root, { recursive: true, force: true });
});
beforeEach(() => {
  enqueued = [];
});

let n = 0;
const newUser = () =>
  asSystem(db, async (tx) => {
    const u = await tx
      .insertInto("users")
      .values({ email: `studio-${Date.now()}-${++n}@example.test`, password_hash: "x" })
      .returning("id")
      .executeTakeFirstOrThrow();
    return u.id;
  });

const save = (userId: string, url: string) => asUser(db, userId, (tx) => reels.save(deps, tx, userId, { url }));
const get = (userId: string, reelId: string) => asUser(db, userId, (tx) => reels.get(deps, tx, reelId));
const code = () => `Cz${Date.now().toString(36)}${++n}`;

async function rejects(p: Promise<unknown>): Promise<DomainError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("saving reels", () => {
  it("saves once per user: the same reel under another link is a CONFLICT on url, another user may save it", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const c = code();
    const saved = await save(alice, `https://www.instagram.com/reel/${c}/?igsh=abc`);
    expect(saved).toMatchObject({ platform: "instagram", shortcode: c, status: "pending", stats: "fetching", viewCount: null });
    expect(saved.url).toBe(`https://www.instagram.com/reel/${c}/`);
    expect(enqueued).toEqual([{ name: "studio.fetch-reel-stats", data: { userId: alice, reelId: saved.id } }]);

    const again = await rejects(save(alice, `instagram.com/p/${c}?utm_source=x`));
    expect(again.code).toBe("CONFLICT");
    expect(again.details.field).toBe("url");
    expect(again.message).toMatch(/already saved/);

    const bobs = await save(bob, `https://www.instagram.com/reel/${c}/`);
    expect(bobs.id).not.toBe(saved.id);
    expect(await asUser(db, alice, (tx) => reels.list(deps, tx, undefined))).toHaveLength(1);
  });

  it("refuses a link that is not a reel, naming the field", async () => {
    const user = await newUser();
    const error = await rejects(save(user, "https://example.com/video/1"));
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.details.field).toBe("url");
    expect(enqueued).toEqual([]);
  });
});

describe("the stats job against the stats service", () => {
  it("stores the view count, title and thumbnail (the owner's file), and approves at 100,000 views", async () => {
    const user = await newUser();
    const c = code();
    sandbox.setReel("instagram", c, { views: 100_000, title: "Dance trend" });
    const reel = await save(user, `https://www.instagram.com/reel/${c}/`);
    expect(await reels.fetchStats(fetchDeps, { userId: user, reelId: reel.id })).toBe("fetched");

    const after = await get(user, reel.id);
    expect(after).toMatchObject({ viewCount: 100_000, title: "Dance trend", status: "approved", stats: "fetched" });
    expect(after.thumbnailUrl).toMatch(/^\/files\/[0-9a-f-]{36}\?exp=\d+&sig=/);
    const fileId = after.thumbnailUrl?.split("/")[2]?.split("?")[0] ?? "";
    const bytes = await asUser(db, user, (tx) => files.read(fetchDeps, tx, fileId));
    expect(Buffer.from(bytes.subarray(1, 4)).toString()).toBe("PNG");
    expect(sandbox.requests.filter((r) => r.path.includes(c)).every((r) => r.authorization === "Bearer rs-test-key")).toBe(true);

    // Deleting the reel deletes its thumbnail's row (the bytes go with the orphan sweep).
    await asUser(db, user, (tx) => reels.remove(tx, reel.id));
    expect(await asUser(db, user, (tx) => tx.selectFrom("stored_files").select("id").where("id", "=", fileId).execute())).toEqual(
      [],
    );
  });

  it("denies below 100,000 views, and a later count does not change the first decision", async () => {
    const user = await newUser();
    const c = code();
    sandbox.setReel("tiktok", c.replace(/\D/g, "").padEnd(19, "7"), { views: 99_999 });
    const reel = await save(user, `https://www.tiktok.com/@someone/video/${c.replace(/\D/g, "").padEnd(19, "7")}`);
    await reels.fetchStats(fetchDeps, { userId: user, reelId: reel.id });
    expect(await get(user, reel.id)).toMatchObject({ viewCount: 99_999, status: "denied", statusOverridden: false });

    sandbox.setReel("tiktok", reel.shortcode, { views: 5_000_000 });
    await reels.fetchStats(fetchDeps, { userId: user, reelId: reel.id });
    expect(await get(user, reel.id)).toMatchObject({ viewCount: 5_000_000, status: "denied" });
  });

  it("keeps the user's decision made before the count arrived", async () => {
    const user = await newUser();
    const c = code();
    sandbox.setReel("instagram", c, { views: 10 });
    const reel = await save(user, `https://www.instagram.com/reel/${c}/`);
    const overridden = await asUser(db, user, (tx) => reels.update(deps, tx, { reelId: reel.id, status: "approved" }));
    expect(overridden).toMatchObject({ status: "approved", statusOverridden: true });
    await reels.fetchStats(fetchDeps, { userId: user, reelId: reel.id });
    expect(await get(user, reel.id)).toMatchObject({ viewCount: 10, status: "approved" });
  });

  it("marks a reel the platform no longer has as failed; a service outage is thrown for the queue to retry", async () => {
    const user = await newUser();
    const gone = code();
    sandbox.removeReel("instagram", gone);
    const reel = await save(user, `https://www.instagram.com/reel/${gone}/`);
    expect(await reels.fetchStats(fetchDeps, { userId: user, reelId: reel.id })).toBe("failed");
    expect(await get(user, reel.id)).toMatchObject({ stats: "failed", status: "pending", viewCount: null });
    expect((await get(user, reel.id)).statsError).toMatch(/no such reel/);

    const other = await save(user, `https://www.instagram.com/reel/${code()}/`);
    sandbox.failNext(1, 503);
    await expect(reels.fetchStats(fetchDeps, { userId: user, reelId: other.id })).rejects.toThrow(/answered 503/);
    expect(await get(user, other.id)).toMatchObject({ stats: "fetching", statsError: "The stats service answered 503." });
    // The queue's retry succeeds and clears the error.
    expect(await reels.fetchStats(fetchDeps, { userId: user, reelId: other.id })).toBe("fetched");
    expect(await get(user, other.id)).toMatchObject({ stats: "fetched", statsError: null });
  });
});

describe("editing, filtering and refreshing", () => {
  it("lists by views, filtered by status, platform and favourite; notes and tags are kept", async () => {
    const user = await newUser();
    const made: string[] = [];
    for (const views of [5_000, 2_000_000, 150_000]) {
      const c = code();
      sandbox.setReel("youtube", c.slice(-11).padStart(11, "y"), { views });
      const reel = await save(user, `https://youtu.be/${c.slice(-11).padStart(11, "y")}`);
      await reels.fetchStats(fetchDeps, { userId: user, reelId: reel.id });
      made.push(reel.id);
    }
    const list = (input?: Parameters<typeof reels.list>[2]) => asUser(db, user, (tx) => reels.list(deps, tx, input));
    expect((await list()).map((r) => r.viewCount)).toEqual([2_000_000, 150_000, 5_000]);
    expect((await list({ status: "denied" })).map((r) => r.viewCount)).toEqual([5_000]);
    expect(await list({ platform: "tiktok" })).toEqual([]);
    await asUser(db, user, (tx) =>
      reels.update(deps, tx, {
        reelId: made[0] ?? "",
        isFavorite: true,
        notes: "Hook in 1 s",
        tags: ["Dancing", "dancing", "talking head"],
      }),
    );
    expect(await list({ favorite: true })).toMatchObject([
      { id: made[0], notes: "Hook in 1 s", tags: ["dancing", "talking head"] },
    ]);
  });

  it("refreshes on demand, once a minute per reel", async () => {
    const user = await newUser();
    const reel = await save(user, `https://www.instagram.com/reel/${code()}/`);
    const tooSoon = await rejects(asUser(db, user, (tx) => reels.refresh(deps, tx, user, reel.id)));
    expect(tooSoon.code).toBe("RATE_LIMITED");
    expect(tooSoon.details.retryAfterSeconds).toBeGreaterThan(0);

    await asUser(db, user, (tx) =>
      tx
        .updateTable("viral_reels")
        .set({ stats_requested_at: new Date(Date.now() - 120_000) })
        .where("id", "=", reel.id)
        .execute(),
    );
    enqueued = [];
    const refreshed = await asUser(db, user, (tx) => reels.refresh(deps, tx, user, reel.id));
    expect(refreshed.stats).toBe("fetching");
    expect(enqueued).toEqual([{ name: "studio.fetch-reel-stats", data: { userId: user, reelId: reel.id } }]);
  });

  it("refuses a user's 31st count in ten minutes", async () => {
    const user = await newUser();
    const ids: string[] = [];
    for (let i = 0; i < 31; i++) ids.push((await save(user, `https://www.instagram.com/reel/${code()}/`)).id);
    // All saved just now (30 of them count against the window); make one old enough to refresh.
    await asUser(db, user, (tx) =>
      tx
        .updateTable("viral_reels")
        .set({ stats_requested_at: new Date(Date.now() - 700_000) })
        .where("id", "=", ids[0] ?? "")
        .execute(),
    );
    const error = await rejects(asUser(db, user, (tx) => reels.refresh(deps, tx, user, ids[0] ?? "")));
    expect(error.code).toBe("RATE_LIMITED");
    expect(error.message).toMatch(/refreshing faster/);
  });

  it("counts every request, not reels: one reel refreshed each minute is refused at the 31st request", async () => {
    const user = await newUser();
    const reel = await save(user, `https://www.instagram.com/reel/${code()}/`);
    const backdate = () =>
      asUser(db, user, (tx) =>
        tx
          .updateTable("viral_reels")
          .set({ stats_requested_at: new Date(Date.now() - 120_000) })
          .where("id", "=", reel.id)
          .execute(),
      );
    // The save was the first request; 29 refreshes make 30.
    for (let i = 0; i < 29; i++) {
      await backdate();
      await asUser(db, user, (tx) => reels.refresh(deps, tx, user, reel.id));
    }
    await backdate();
    const error = await rejects(asUser(db, user, (tx) => reels.refresh(deps, tx, user, reel.id)));
    expect(error.code).toBe("RATE_LIMITED");
    expect(error.message).toMatch(/refreshing faster/);
  });

  it("deleting and saving a reel again asks afresh only within the user's budget", async () => {
    const user = await newUser();
    const url = `https://www.instagram.com/reel/${code()}/`;
    let refused: DomainError | null = null;
    for (let i = 0; i < 70 && !refused; i++) {
      const result = await asUser(db, user, (tx) => reels.save(deps, tx, user, { url })).catch((e: unknown) => e);
      if (result instanceof DomainError) refused = result;
      else await asUser(db, user, (tx) => reels.remove(tx, (result as { id: string }).id));
    }
    expect(refused?.code).toBe("RATE_LIMITED");
    // Nor can the user's own requests in the window be deleted to reset the budget.
    const deleted = await asUser(db, user, (tx) => tx.deleteFrom("viral_reel_stats_requests").executeTakeFirst());
    expect(Number(deleted.numDeletedRows)).toBe(0);
  });
});

describe("stored links", () => {
  it("the database keeps only the canonical https link of a reel, whatever writes the row", async () => {
    const user = await newUser();
    for (const url of ["javascript:alert(1)//www.instagram.com/reel/ABCDE/", "https://instagram.com.evil.com/reel/ABCDE/"]) {
      const error = await asUser(db, user, (tx) =>
        tx.insertInto("viral_reels").values({ user_id: user, url, platform: "instagram", shortcode: "ABCDE" }).execute(),
      ).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toMatch(/viral_reels_canonical_url/);
    }
  });
});

describe("isolation", () => {
  it("another user gets NOT_FOUND for every operation on a reel, and the owner's reel is unchanged", async () => {
    const [owner, intruder] = [await newUser(), await newUser()];
    const reel = await save(owner, `https://www.instagram.com/reel/${code()}/`);
    const as = <T>(fn: (tx: Parameters<Parameters<typeof asUser>[2]>[0]) => Promise<T>) => asUser(db, intruder, fn);
    const attempts = [
      () => as((tx) => reels.get(deps, tx, reel.id)),
      () => as((tx) => reels.update(deps, tx, { reelId: reel.id, notes: "mine", status: "denied" })),
      () => as((tx) => reels.refresh(deps, tx, intruder, reel.id)),
      () => as((tx) => reels.remove(tx, reel.id)),
    ];
    for (const attempt of attempts) expect((await rejects(attempt())).code).toBe("NOT_FOUND");
    expect(await as((tx) => reels.list(deps, tx, undefined))).toEqual([]);
    // The job carries the owner's id; with someone else's it finds nothing.
    expect(await reels.fetchStats(fetchDeps, { userId: intruder, reelId: reel.id })).toBe("skipped");
    expect(await get(owner, reel.id)).toMatchObject({ notes: "", status: "pending", stats: "fetching" });
  });
});
