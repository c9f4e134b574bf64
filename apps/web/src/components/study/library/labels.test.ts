import { describe, expect, it } from "vitest";
import { nextId } from "./labels.ts";

describe("nextId", () => {
  it("never hands a new part the id of one removed before (its review state and results would carry over)", () => {
    // c1..c3 saved and reviewed; c3 removed and saved; a card added later.
    const added = nextId("c", ["c1", "c2"]);
    expect(["c1", "c2", "c3"]).not.toContain(added);
    expect(added).toMatch(/^c[a-z0-9-]{1,39}$/);
    expect(nextId("q", [])).not.toBe(nextId("q", []));
  });
});
