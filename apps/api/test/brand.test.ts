/** The brand kit end to end: procedures in-process and over HTTP, the real database and local storage. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

/** A 1×1 PNG (file ids differ per upload, so the same bytes serve every test). */
const png = (_size?: number) =>
  Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

/** The validation issues of an in-process call's BAD_REQUEST (HTTP callers get the same as `data.issues`). */
const issuesOf = (error: unknown) =>
  ((error as { cause?: { issues?: { path: (string | number)[]; message: string }[] } }).cause?.issues ?? []).map((i) => ({
    path: i.path.join("."),
    message: i.message,
  }));

const postJson = (path: string, token: string, body: unknown) =>
  h.app.request(`/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });

describe("brand kit", () => {
  it("starts empty, saves and normalises, and keeps unsent fields", async () => {
    const u = await h.signUp("brand");
    expect(await u.caller.brand.get()).toMatchObject({ brandName: null, primaryColor: null, logo: null, updatedAt: null });
    await u.caller.brand.save({ brandName: "  Crumb & Co ", primaryColor: "#1E3A8A", voicePrompt: "Warm and plain." });
    const kit = await u.caller.brand.save({ accentColor: "#F59E0B" });
    expect(kit).toMatchObject({
      brandName: "Crumb & Co",
      primaryColor: "#1e3a8a",
      accentColor: "#f59e0b",
      voicePrompt: "Warm and plain.",
    });
    expect(await u.caller.brand.get()).toEqual(kit);
  });

  it("refuses a bad hex colour with BAD_REQUEST naming the field and the rule", async () => {
    const u = await h.signUp("brand-hex");
    const error = await expectTrpcError(u.caller.brand.save({ primaryColor: "#12345g" }), "BAD_REQUEST");
    expect(issuesOf(error)).toEqual([
      { path: "primaryColor", message: '"#12345g" is not a hex colour: use # and six hex digits, like #1a2b3c' },
    ]);
    // Over HTTP the web gets the field path for its form.
    const res = await postJson("brand.save", u.token, { secondaryColor: "navy" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { data: { issues: { path: string; message: string }[] } } };
    expect(body.error.data.issues).toEqual([
      { path: "secondaryColor", message: '"navy" is not a hex colour: use # and six hex digits, like #1a2b3c' },
    ]);
    expect((await u.caller.brand.get()).secondaryColor).toBeNull();
  });

  it("allows a 500-character voice prompt and refuses 501", async () => {
    const u = await h.signUp("brand-voice");
    expect((await u.caller.brand.save({ voicePrompt: "v".repeat(500) })).voicePrompt).toHaveLength(500);
    const error = await expectTrpcError(u.caller.brand.save({ voicePrompt: "v".repeat(501) }), "BAD_REQUEST");
    expect(issuesOf(error)).toEqual([
      { path: "voicePrompt", message: "The voice prompt can be at most 500 characters (it has 501)" },
    ]);
    expect((await u.caller.brand.get()).voicePrompt).toHaveLength(500);
  });

  it("uploads a logo, serves it through its signed URL, replaces and removes it", async () => {
    const u = await h.signUp("brand-logo");
    const bytes = png(6);
    const kit = await u.caller.brand.uploadLogo({ filename: "crumb.png", dataBase64: bytes.toString("base64") });
    expect(kit.logo).toMatchObject({ filename: "crumb.png", contentType: "image/png", byteSize: bytes.length });

    const res = await h.app.request(kit.logo!.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array(bytes));
    // The read hands out a URL to the same file.
    expect((await u.caller.brand.get()).logo?.fileId).toBe(kit.logo!.fileId);

    const replaced = await u.caller.brand.uploadLogo({ filename: "crumb-2.png", dataBase64: png(3).toString("base64") });
    expect(replaced.logo?.fileId).not.toBe(kit.logo!.fileId);
    // The old logo is gone: its row (so its link answers 404) and its bytes.
    expect((await h.app.request(kit.logo!.url)).status).toBe(404);

    const removed = await u.caller.brand.removeLogo();
    expect(removed.logo).toBeNull();
    expect((await h.app.request(replaced.logo!.url)).status).toBe(404);
  });

  it("refuses uploads that are not images or are too big, with messages a person can act on", async () => {
    const u = await h.signUp("brand-bad-logo");
    const text = await expectTrpcError(
      u.caller.brand.uploadLogo({ filename: "logo.png", dataBase64: Buffer.from("I am text, honest").toString("base64") }),
      "BAD_REQUEST",
    );
    expect(text.message).toBe("That file is plain text, not a PNG, JPEG, WebP or GIF image.");
    const pdf = await expectTrpcError(
      u.caller.brand.uploadLogo({
        filename: "logo.png",
        dataBase64: Buffer.from("%PDF-1.7\n%âãÏÓ\n1 0 obj\n").toString("base64"),
      }),
      "BAD_REQUEST",
    );
    expect(pdf.message).toMatch(/^That file is application\/pdf \(\.pdf\), not a PNG, JPEG, WebP or GIF image\.$/);
    const big = Buffer.alloc(3 * 1024 * 1024);
    png().copy(big);
    const tooBig = await expectTrpcError(
      u.caller.brand.uploadLogo({ filename: "huge.png", dataBase64: big.toString("base64") }),
      "BAD_REQUEST",
    );
    expect(tooBig.message).toBe("That file is 3 MB; the limit is 2 MB.");
    expect((await u.caller.brand.get()).logo).toBeNull();
  });

  it("refuses another user's logo id as NOT_FOUND and leaves both kits alone", async () => {
    const a = await h.signUp("brand-owner");
    const b = await h.signUp("brand-thief");
    const kit = await a.caller.brand.uploadLogo({ filename: "mine.png", dataBase64: png().toString("base64") });
    await expectTrpcError(b.caller.brand.save({ brandName: "Thief", logoFileId: kit.logo!.fileId }), "NOT_FOUND");
    expect(await b.caller.brand.get()).toMatchObject({ brandName: null, logo: null });
    expect((await a.caller.brand.get()).logo?.fileId).toBe(kit.logo!.fileId);
  });

  it("lets the owner point the kit at one of their own uploads again", async () => {
    const u = await h.signUp("brand-reuse");
    const kit = await u.caller.brand.uploadLogo({ filename: "a.png", dataBase64: png().toString("base64") });
    const same = await u.caller.brand.save({ logoFileId: kit.logo!.fileId, tagline: "Same logo" });
    expect(same).toMatchObject({ tagline: "Same logo", logo: { fileId: kit.logo!.fileId } });
  });
});
