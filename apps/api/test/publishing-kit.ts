/**
 * What the publishing-posts test files share: the harness with its sandbox platform, the publisher's
 * deps (a 1 s platform timeout and fast retries so fault cases finish quickly), the real OAuth connect,
 * and waits on conditions (`vi.waitFor`) instead of sleeps.
 *
 * Only one file may work the publish queue (`worker: true`): files share the database and its queues,
 * and a job taken by another file's worker would go to that file's sandbox with keys it cannot open.
 * The others run the publish job by hand and leave no due job behind.
 */
import { connections } from "@inkwell/domain/connections";
import type { WorkerDeps } from "@inkwell/domain/jobs/handlers";
import { createBoss, createEnqueue, type JobHandler, registerJobs } from "@inkwell/domain/platform";
import { sandboxPublishingRuntime } from "@inkwell/domain/platforms";
import type { SandboxPost } from "@inkwell/domain/platforms/testing";
import { type Post, type PublisherDeps, publishPostJob, runPublishJob } from "@inkwell/domain/posts";
import { inject, vi } from "vitest";
import { type Harness, startHarnessWithSandbox } from "./harness.ts";

export type User = Awaited<ReturnType<Harness["signUp"]>>;
export type Platform = "x" | "linkedin" | "threads" | "wordpress";

const silent = { info() {}, warn() {}, error() {} };
let seq = 0;
/** Letters and digits only: LinkedIn escapes punctuation such as # in its "little text". */
export const unique = (text: string) => `${text} r${Date.now().toString(36)}x${++seq}`;

/** The next whole minute at least `leadSeconds` away, as UTC wall-clock time (the composer picks minutes), and its instant. */
export function nextMinute(leadSeconds: number): { local: string; at: Date } {
  const at = new Date(Math.ceil((Date.now() + leadSeconds * 1000) / 60_000) * 60_000);
  return { local: at.toISOString().slice(0, 16), at };
}

export async function startPublishing(options: { worker: boolean }) {
  const started = await startHarnessWithSandbox();
  const { h, sandbox } = started;
  // pg-boss in this process: the enqueue the publisher's retries use and, for the worker file, the real
  // publish job on its real queue.
  const boss = createBoss(inject("databaseUrl"), { supervise: false, schedule: false, max: 4 });
  await boss.start();
  const publisher: PublisherDeps = {
    db: h.db,
    log: silent,
    keyRing: h.deps.keyRing,
    publishing: sandboxPublishingRuntime(sandbox.url, null, 1_000),
    enqueue: createEnqueue(boss),
    config: { retryBaseMs: 100, reconcileDelayMs: 100, claimLeaseMs: 3_000 },
  };
  if (options.worker) {
    const job: JobHandler<WorkerDeps> = {
      job: publishPostJob,
      run: async (data) => void (await runPublishJob(publisher, data as { postId: string; version: number })),
    };
    await registerJobs(boss, [job], {
      db: h.db,
      log: silent,
      ai: h.deps.ai,
      mailer: { send: async () => {}, close() {} } as never,
    });
  }

  /** Connects the sandbox's account on `platform` for `user` through the real OAuth flow (or WordPress form). */
  async function connect(user: User, platform: Platform, account?: string): Promise<string> {
    if (platform === "wordpress") return (await user.caller.publishing.connections.connectWordPress(sandbox.wordpress)).id;
    const { authorizeUrl } = await user.caller.publishing.connections.startOAuth({ platform });
    const url = new URL(authorizeUrl);
    if (account) url.searchParams.set("sandbox_account", account);
    const approve = await fetch(url, { redirect: "manual" });
    const back = new URL(approve.headers.get("location") as string);
    const done = await h.app.request(`${back.pathname}${back.search}`, { headers: { authorization: `Bearer ${user.token}` } });
    const landed = new URL(done.headers.get("location") ?? "", "http://app.test");
    const id = landed.searchParams.get("connected");
    if (!id) throw new Error(`connect ${platform} failed: ${landed.searchParams.get("error")}`);
    return id;
  }

  /** The post and its attempts once it reaches one of `statuses`. */
  const settled = (user: User, postId: string, statuses: Post["status"][] = ["published", "failed"], timeout = 20_000) =>
    vi.waitFor(
      async () => {
        const r = await user.caller.publishing.posts.get({ postId });
        if (!statuses.includes(r.post.status)) throw new Error(`post ${postId} is ${r.post.status}, not ${statuses.join("/")}`);
        return r;
      },
      { timeout, interval: 50 },
    );

  /** What the sandbox platform shows with this text, on every account. */
  const onSandbox = (text: string): SandboxPost[] =>
    sandbox.accounts().flatMap((a) => sandbox.feed(a.accountId).filter((p) => p.text === text));

  /** Publish requests X received for this text (the feed alone hides a repeat answered from its idempotency key). */
  const tweetsOf = (text: string) =>
    sandbox.requests.filter((r) => r.method === "POST" && r.path.endsWith("/2/tweets") && r.body.text === text);

  /**
   * What a worker killed mid-publish leaves: a draft of `text` for `user` on their X connection, claimed
   * (lease long expired) and already on the platform, its answer never saved. Returns the post's id.
   */
  async function orphanedOnX(user: User, connectionId: string, text: string): Promise<string> {
    const { posts } = await user.caller.publishing.posts.compose({
      channels: [{ connectionId, parts: [text] }],
      when: { kind: "draft" },
      idempotencyKey: unique(`orphan-${text}`),
    });
    const postId = posts[0]?.id as string;
    await h.asSystem((tx) =>
      tx
        .updateTable("scheduled_posts")
        .set({
          status: "publishing",
          scheduled_at: new Date(),
          claim_token: crypto.randomUUID(),
          claimed_at: new Date(Date.now() - 60_000),
        })
        .where("id", "=", postId)
        .execute(),
    );
    const { credentials } = await connections.credentialsFor(
      { db: h.db, keyRing: h.deps.keyRing, publishing: h.deps.publishing },
      connectionId,
    );
    await h.deps.publishing.adapters.x.publish({ parts: [text], idempotencyKey: `inkwell-post-${postId}` }, credentials as never);
    return postId;
  }

  return {
    h,
    sandbox,
    publisher,
    connect,
    orphanedOnX,
    settled,
    onSandbox,
    tweetsOf,
    async stop() {
      await boss.stop({ graceful: false });
      await started.stop();
    },
  };
}

export type Publishing = Awaited<ReturnType<typeof startPublishing>>;
