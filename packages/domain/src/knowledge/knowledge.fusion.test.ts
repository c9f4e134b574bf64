import { describe, expect, it } from "vitest";
import { RRF_K, reciprocalRankFusion } from "./knowledge.fusion.ts";

describe("reciprocalRankFusion", () => {
  it("sums 1 / (60 + rank) over the lists and ranks entries found by both signals first", () => {
    const fused = reciprocalRankFusion({ vector: ["a", "b", "c"], keyword: ["c", "d"] });
    expect(fused.map((f) => f.id)).toEqual(["c", "a", "b", "d"]);
    expect(fused[0]).toEqual({ id: "c", score: 1 / (RRF_K + 3) + 1 / (RRF_K + 1), ranks: { vector: 3, keyword: 1 } });
    expect(fused.find((f) => f.id === "d")?.ranks).toEqual({ keyword: 2 });
  });

  it("handles empty lists and counts a duplicate once, at its best rank", () => {
    expect(reciprocalRankFusion({ vector: [], keyword: [] })).toEqual([]);
    expect(reciprocalRankFusion({ vector: ["a", "a"] })).toEqual([{ id: "a", score: 1 / (RRF_K + 1), ranks: { vector: 1 } }]);
  });
});
