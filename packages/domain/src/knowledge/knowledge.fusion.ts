/** Reciprocal Rank Fusion: each list contributes 1 / (k + rank) per item; pure, so it is unit-tested. */
export const RRF_K = 60;

export interface Fused {
  id: string;
  score: number;
  ranks: Record<string, number>;
}

/** `lists` maps a signal name to ids, best first. Ties keep the order of first appearance. */
export function reciprocalRankFusion(lists: Record<string, readonly string[]>, k = RRF_K): Fused[] {
  const byId = new Map<string, Fused & { first: number }>();
  let seen = 0;
  for (const [signal, ids] of Object.entries(lists)) {
    ids.forEach((id, i) => {
      let f = byId.get(id);
      if (!f) {
        f = { id, score: 0, ranks: {}, first: seen++ };
        byId.set(id, f);
      }
      if (f.ranks[signal] !== undefined) return; // a duplicate in one list counts once, at its best rank
      f.ranks[signal] = i + 1;
      f.score += 1 / (k + i + 1);
    });
  }
  return [...byId.values()].sort((a, b) => b.score - a.score || a.first - b.first).map(({ first: _first, ...f }) => f);
}
