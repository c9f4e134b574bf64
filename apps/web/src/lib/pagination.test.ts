import { describe, expect, it } from "vitest";
import { nextCursor, uniqueRows } from "./pagination.ts";

const row = (id: string, createdAt: string) => ({ id, createdAt });

describe("nextCursor", () => {
  it("stops after a short page", () => {
    expect(nextCursor([row("a", "2026-11-23T10:00:00.000Z")], [[row("a", "2026-11-23T10:00:00.000Z")]], 2)).toBeUndefined();
  });

  it("starts the next page one millisecond after the last row, so rows sharing its millisecond are not skipped", () => {
    const page = [row("b", "2026-11-23T10:00:00.005Z"), row("a", "2026-11-23T10:00:00.004Z")];
    expect(nextCursor(page, [page], 2)).toEqual({ createdAt: "2026-11-23T10:00:00.005Z", id: "a" });
  });

  it("falls back to the exact cursor when a page brought nothing new (it must move on)", () => {
    const first = [row("c", "2026-11-23T10:00:00.004Z"), row("b", "2026-11-23T10:00:00.004Z")];
    const again = [row("c", "2026-11-23T10:00:00.004Z"), row("b", "2026-11-23T10:00:00.004Z")];
    expect(nextCursor(again, [first, again], 2)).toEqual({ createdAt: "2026-11-23T10:00:00.004Z", id: "b" });
  });
});

describe("uniqueRows", () => {
  it("keeps the first occurrence of each row, in order", () => {
    expect(
      uniqueRows([
        [row("c", "t"), row("b", "t")],
        [row("b", "t"), row("a", "t")],
      ]).map((r) => r.id),
    ).toEqual(["c", "b", "a"]);
    expect(uniqueRows(undefined)).toEqual([]);
  });
});
