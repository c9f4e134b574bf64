/**
 * Images on scheduled posts: the upload procedure (sniffed type, the post_media size limit), the
 * ownership check when a post names file ids, and publishing an image to each platform of the
 * sandbox, which records what it received.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { sandboxPublishingRuntime } from "@inkwell/domain/platforms";
import { type PublisherDeps, runPublishJob } from "@inkwell/domain/posts";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarnessWithSandbox } from "./harness.ts";

type Sandbox = Awaited<ReturnType<typeof startHarnessWithSandbox>>["sandbox"];
type User = Awaited<ReturnType<Harness["signUp"]>>;

let h: Harness;
let sandbox: Sandbox;
let stopAll: () => Promise<void>;
let publisher: PublisherDeps;
let publicUrl: string;

/** A 1×1 PNG. */
const PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const PNG = Buffer.from(PNG_BASE64, "base64");

beforeAll(async () => {
  const started = await startHarnessWithSandbox();
  h = started.h;
  sandbox = started.sandbox;
  // The API over real HTTP: Threads (the sandbox, like Meta) fetches the image from its signed URL.
  const server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The publisher, called directly here (no queue worker: other test files' workers share the queues).
  publisher = {
    db: h.db,
    log: { info() {}, warn() {}, error() {} },
    keyRing: h.deps.keyRing,
    publishing: sandboxPublishingRuntime(sandbox.url, publicUrl, 3_000),
    enqueue: h.deps.enqueue,
    storage: h.deps.storage,
  };
  stopAll = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await started.stop();
  };
}, 60_000);
afterAll(() => stopAll());

async function connectWordPress(user: User): Promise<string> {
  return (await user.caller.publishing.connections.connectWordPress(sandbox.wordpress)).id;
}

async function connect(user: User, platform: "x" | "linkedin" | "threads" | "wordpress"): Promise<string> {
  if (platform === "wordpress") return connectWordPress(user);
  const { authorizeUrl } = await user.caller.publishing.connections.startOAuth({ platform });
  const approve = await fetch(authorizeUrl, { redirect: "manual" });
  const back = new URL(approve.headers.get("location") as string);
  const done = await h.app.request(`${back.pathname}${back.search}`, { headers: { authorization: `Bearer ${user.token}` } });
  const id = new URL(done.headers.get("location") ?? "", "http://app.test").searchParams.get("connected");
  if (!id) throw new Error(`connect ${platform} failed`);
  return id;
}

/** Makes a draft due now and runs the publish job for it, as the worker would. */
async function publishDraft(postId: string) {
  await h.raw(sql`update scheduled_posts set status = 'pending', scheduled_at = now() where id = ${postId}`);
  const { rows } = await h.raw(sql<{ v: number }>`select schedule_version as v from scheduled_posts where id = ${postId}`);
  return runPublishJob(publisher, { postId, version: (rows[0] as { v: number }).v });
}

describe("publishing a post with an image", () => {
  for (const platform of ["x", "linkedin", "threads", "wordpress"] as const) {
    it(`attaches the image on ${platform}`, async () => {
      const u = await h.signUp(`media-${platform}`);
      const connectionId = await connect(u, platform);
      const image = await u.caller.publishing.posts.uploadMedia({ filename: "photo.png", dataBase64: PNG_BASE64 });
      const text = `Look at this r${Date.now().toString(36)}${platform}`;
      const composed = await u.caller.publishing.posts.compose({
        channels: [
          { connectionId, parts: [text], mediaFileIds: [image.fileId], ...(platform === "wordpress" ? { title: text } : {}) },
        ],
        when: { kind: "draft" },
        idempotencyKey: `media-publish-${image.fileId}`,
      });
      const postId = composed.posts[0]?.id as string;
      expect(await publishDraft(postId)).toBe("published");
      const { post, attempts } = await u.caller.publishing.posts.get({ postId });
      expect(post.status).toBe("published");
      const onSandbox = sandbox
        .accounts(platform)
        .flatMap((a) => sandbox.feed(a.accountId))
        .filter((p) => p.id === post.platformPostId);
      expect(onSandbox).toHaveLength(1);
      expect(onSandbox[0]?.media).toEqual([expect.objectContaining({ contentType: "image/png", byteSize: PNG.byteLength })]);
      if (platform === "threads")
        expect(onSandbox[0]?.media?.[0]?.fetchedFrom).toMatch(new RegExp(`^${publicUrl}/files/${image.fileId}\\?exp=`));
      if (platform === "wordpress") expect(onSandbox[0]?.text).toContain("wp:image");
      expect(attempts.map((a) => a.outcome)).toEqual(["published"]);
    });
  }

  it("a retry after a lost answer to the image upload re-uploads the image, and the post goes out once", async () => {
    const u = await h.signUp("media-retry");
    const connectionId = await connect(u, "x");
    const image = await u.caller.publishing.posts.uploadMedia({ filename: "photo.png", dataBase64: PNG_BASE64 });
    const text = `Retry with image r${Date.now().toString(36)}`;
    const composed = await u.caller.publishing.posts.compose({
      channels: [{ connectionId, parts: [text], mediaFileIds: [image.fileId] }],
      when: { kind: "draft" },
      idempotencyKey: `media-retry-${image.fileId}`,
    });
    const postId = composed.posts[0]?.id as string;
    sandbox.failNext(1, { status: 503, path: /\/2\/media\/upload$/ });
    expect(await publishDraft(postId)).toBe("retry");
    expect(
      sandbox
        .accounts("x")
        .flatMap((a) => sandbox.feed(a.accountId))
        .filter((p) => p.text === text),
    ).toHaveLength(0);
    expect(await publishDraft(postId)).toBe("published");
    const out = sandbox
      .accounts("x")
      .flatMap((a) => sandbox.feed(a.accountId))
      .filter((p) => p.text === text);
    expect(out).toHaveLength(1);
    expect(out[0]?.media?.[0]?.contentType).toBe("image/png");
  });
});

describe("publishing.posts.uploadMedia", () => {
  it("stores an image and returns its sniffed type, size and a signed preview URL that serves it", async () => {
    const u = await h.signUp("media-upload");
    const up = await u.caller.publishing.posts.uploadMedia({ filename: "photo.png", dataBase64: PNG_BASE64 });
    expect(up).toMatchObject({ contentType: "image/png", byteSize: PNG.byteLength });
    expect(up.url).toMatch(new RegExp(`^/files/${up.fileId}\\?exp=\\d+&sig=`));
    const res = await h.app.request(up.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await res.arrayBuffer())).toEqual(PNG);
  });

  it("refuses a text file named .png, naming what it is", async () => {
    const u = await h.signUp("media-text");
    const error = await expectTrpcError(
      u.caller.publishing.posts.uploadMedia({
        filename: "photo.png",
        dataBase64: Buffer.from("just some words, not a picture").toString("base64"),
      }),
      "BAD_REQUEST",
    );
    expect(error.message).toMatch(/That file is a? ?.*text.*not a PNG, JPEG, WebP or GIF image/i);
  });

  it("refuses an image over 5 MB", async () => {
    const u = await h.signUp("media-big");
    const big = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024 + 1 - PNG.byteLength)]);
    const error = await expectTrpcError(
      u.caller.publishing.posts.uploadMedia({ filename: "big.png", dataBase64: big.toString("base64") }),
      "BAD_REQUEST",
    );
    expect(error.message).toBe("That file is just over the 5 MB limit.");
  });

  it("refuses another user's file id on a post with NOT_FOUND (compose and update)", async () => {
    const alice = await h.signUp("media-alice");
    const bob = await h.signUp("media-bob");
    const bobs = await bob.caller.publishing.posts.uploadMedia({ filename: "bob.png", dataBase64: PNG_BASE64 });
    const connectionId = await connectWordPress(alice);
    await expectTrpcError(
      alice.caller.publishing.posts.compose({
        channels: [{ connectionId, parts: ["With Bob's picture"], title: "Stolen", mediaFileIds: [bobs.fileId] }],
        when: { kind: "draft" },
        idempotencyKey: `media-stolen-${bobs.fileId}`,
      }),
      "NOT_FOUND",
    );
    const draft = await alice.caller.publishing.posts.compose({
      channels: [{ connectionId, parts: ["Plain"], title: "Plain" }],
      when: { kind: "draft" },
      idempotencyKey: `media-plain-${bobs.fileId}`,
    });
    const postId = draft.posts[0]?.id as string;
    await expectTrpcError(alice.caller.publishing.posts.update({ postId, mediaFileIds: [bobs.fileId] }), "NOT_FOUND");
    expect((await alice.caller.publishing.posts.get({ postId })).post.mediaFileIds).toEqual([]);
  });
});
