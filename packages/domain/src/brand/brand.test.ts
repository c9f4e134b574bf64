/** Brand rules: input validation, colours in words, and the kit on a real database with local storage. */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asSystem, asUser, createDb } from "@inkwell/db";
import type {} from "@inkwell/db/testing";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { LocalDiskStorage } from "../files/index.ts";
import { DomainError } from "../platform/errors.ts";
import { generateKeySpec, parseKeyRing } from "../platform/secret-box.ts";
import { brand, colorName, saveBrandInput } from "./index.ts";

const { db } = createDb({ url: inject("databaseUrl"), max: 6 });
let root: string;
let deps: brand.BrandDeps;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "inkwell-brand-"));
  deps = { db, storage: new LocalDiskStorage(root), keyRing: parseKeyRing(generateKeySpec("b1")) };
});
afterAll(async () => {
  await db.destroy();
  await rm(root, { recursive: true, force: true });
});

let n = 0;
const newUser = () =>
  asSystem(db, async (tx) => {
    const u = await tx
      .insertInto("users")
      .values({ email: `brand-${Date.now()}-${++n}@example.test`, password_hash: "x" })
      .returning("id")
      .executeTakeFirstOrThrow();
    return u.id;
  });

const pngBase64 = (size = 4) => {
  const image = new PNG({ width: size, height: size });
  image.data.fill(90);
  return PNG.sync.write(image).toString("base64");
};

describe("brand kit input", () => {
  it("normalises hex colours to lower case and treats blank as none", () => {
    expect(saveBrandInput.parse({ primaryColor: " #1E3A8A ", secondaryColor: "", accentColor: null })).toEqual({
      primaryColor: "#1e3a8a",
      secondaryColor: null,
      accentColor: null,
    });
  });

  it("refuses anything but #rrggbb, saying what is wrong", () => {
    for (const bad of ["1e3a8a", "#1e3a8", "#1e3a8a0", "#ggg000", "blue", "#fff", "rgb(0,0,0)"]) {
      const result = saveBrandInput.safeParse({ primaryColor: bad });
      expect(result.success, bad).toBe(false);
      expect(result.error?.issues[0]?.message).toContain("is not a hex colour");
      expect(result.error?.issues[0]?.path).toEqual(["primaryColor"]);
    }
  });

  it("allows a voice prompt of 500 characters, not 501, counting an emoji as one", () => {
    expect(saveBrandInput.safeParse({ voicePrompt: "a".repeat(500) }).success).toBe(true);
    expect(saveBrandInput.safeParse({ voicePrompt: "🙂".repeat(500) }).success).toBe(true);
    const over = saveBrandInput.safeParse({ voicePrompt: "a".repeat(501) });
    expect(over.error?.issues[0]?.message).toBe("The voice prompt can be at most 500 characters (it has 501)");
  });
});

describe("colours in words", () => {
  it("names colours the way people do", () => {
    expect(
      Object.fromEntries(
        [
          "#000000",
          "#ffffff",
          "#808080",
          "#ff0000",
          "#00ff00",
          "#0000ff",
          "#ffc0cb",
          "#8b4513",
          "#000080",
          "#1e3a8a",
          "#fde68a",
        ].map((hex) => [hex, colorName(hex)]),
      ),
    ).toEqual({
      "#000000": "black",
      "#ffffff": "white",
      "#808080": "grey",
      "#ff0000": "bright red",
      "#00ff00": "bright green",
      "#0000ff": "bright blue",
      "#ffc0cb": "pale pink",
      "#8b4513": "brown",
      "#000080": "navy blue",
      "#1e3a8a": "dark blue",
      "#fde68a": "light yellow",
    });
  });
});

describe("the kit", () => {
  it("is empty before the first save and has no prompt block", async () => {
    const userId = await newUser();
    expect(await asUser(db, userId, (tx) => brand.getKit(deps, tx, userId))).toMatchObject({ brandName: null, logo: null });
    expect(await asUser(db, userId, (tx) => brand.promptBlock(tx, userId))).toBeNull();
  });

  it("saves only the fields sent and renders them for prompts, colours in words", async () => {
    const userId = await newUser();
    await brand.save(deps, userId, { brandName: "Crumb & Co", tagline: "Bread worth waking up for", primaryColor: "#1E3A8A" });
    const kit = await brand.save(deps, userId, { accentColor: "#FFC0CB", voicePrompt: "Warm, plain-spoken, no jargon." });
    expect(kit).toMatchObject({
      brandName: "Crumb & Co",
      tagline: "Bread worth waking up for",
      primaryColor: "#1e3a8a",
      secondaryColor: null,
      accentColor: "#ffc0cb",
      voicePrompt: "Warm, plain-spoken, no jargon.",
    });
    const block = await asUser(db, userId, (tx) => brand.promptBlock(tx, userId));
    expect(block).toContain("Brand kit for Crumb & Co");
    expect(block).toContain('- Tagline: "Bread worth waking up for"');
    expect(block).toContain("primary dark blue (#1e3a8a), accent pale pink (#ffc0cb)");
    expect(block).toContain("Warm, plain-spoken, no jargon.");
    expect(block).not.toContain("secondary");
    // Clearing a field.
    expect((await brand.save(deps, userId, { tagline: "" })).tagline).toBeNull();
  });

  it("uploads a logo with a signed URL; replacing or removing it deletes the old bytes", async () => {
    const userId = await newUser();
    const first = await brand.uploadLogo(deps, userId, { filename: "logo.png", dataBase64: pngBase64() });
    expect(first.logo).toMatchObject({ filename: "logo.png", contentType: "image/png" });
    expect(first.logo?.url).toMatch(new RegExp(`^/files/${first.logo?.fileId}\\?exp=\\d+&sig=`));
    const second = await brand.uploadLogo(deps, userId, { filename: "logo2.png", dataBase64: pngBase64(8) });
    expect(second.logo?.fileId).not.toBe(first.logo?.fileId);
    const objects = async () => (await readdir(join(root, "brand-logo", userId)).catch(() => [])).sort();
    expect(await objects()).toEqual([second.logo?.fileId]);
    expect((await brand.removeLogo(deps, userId)).logo).toBeNull();
    expect(await objects()).toEqual([]);
  });

  it("refuses a text file posing as a logo, and another user's logo id", async () => {
    const owner = await newUser();
    const other = await newUser();
    const error = await brand
      .uploadLogo(deps, owner, { filename: "logo.png", dataBase64: Buffer.from("not an image").toString("base64") })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).message).toBe("That file is plain text, not a PNG, JPEG, WebP or GIF image.");

    const kit = await brand.uploadLogo(deps, owner, { filename: "logo.png", dataBase64: pngBase64() });
    const stolen = await brand.save(deps, other, { logoFileId: kit.logo!.fileId }).catch((e: unknown) => e);
    expect((stolen as DomainError).code).toBe("NOT_FOUND");
    expect((await asUser(db, other, (tx) => brand.getKit(deps, tx, other))).logo).toBeNull();
  });
});
