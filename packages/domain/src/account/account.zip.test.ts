import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { ZipBuilder } from "./account.zip.ts";

describe("the export zip", () => {
  it("is on disk as it is built (a big account's zip is never whole in memory) and reads back byte for byte", async () => {
    const zip = new ZipBuilder();
    try {
      const photo = randomBytes(3 * 1024 * 1024);
      zip.add("files/story_photo/a.jpg", photo, false);
      // Already written out before the zip is finished: nothing accumulates in memory.
      expect(statSync(zip.path).size).toBeGreaterThanOrEqual(photo.byteLength);
      zip.addJson("data/stories.json", [{ title: "Summer" }]);
      const spooled = await zip.finish();
      const bytes = readFileSync(spooled.path);
      expect(spooled.byteSize).toBe(bytes.byteLength);
      expect(spooled.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
      const entries = unzipSync(bytes);
      expect(Buffer.from(entries["files/story_photo/a.jpg"] ?? []).equals(photo)).toBe(true);
      expect(JSON.parse(new TextDecoder().decode(entries["data/stories.json"]))).toEqual([{ title: "Summer" }]);
    } finally {
      zip.dispose();
    }
    expect(existsSync(zip.path)).toBe(false);
  });
});
