/**
 * Images on scheduled posts: the upload procedure (sniffed type, the post_media size limit), the
 * ownership check when a post names file ids, and publishing an image to each platform of the
 * sandbox, which records what it received.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarnessWithSandbox } from "./harness.ts";

type Sandbox = Awaited<ReturnType<typeof startHarnessWithSandbox>>["sandbox"];
type User = Awaited<ReturnType<Harness["signUp"]>>;

let h: Harness;
let sandbox: Sandbox;
let stopAll: () => Promise<void>;

/** A 1×1 PNG. */
const PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const PNG = Buffer.from(PNG_BASE64, "base64");

beforeAll(async () => {
  const started = await startHarnessWithSandbox();
  h = started.h;
  sandbox = started.sandbox;
  stopAll = started.stop;
}, 60_000);
afterAll(() => stopAll());

async function connectWordPress(user: User): Promise<string> {
  return (await user.caller.publishing.connections.connectWordPress(sandbox.wordpress)).id;
}

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
