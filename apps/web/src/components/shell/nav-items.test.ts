import { describe, expect, it } from "vitest";
import { ALL_GROUPS, isCurrent, type NavItem } from "./nav-items.ts";

const current = (pathname: string) =>
  ALL_GROUPS.flatMap((g) => g.items)
    .filter((i: NavItem) => isCurrent(i, pathname))
    .map((i) => i.label);

describe("isCurrent", () => {
  it("marks exactly one study page current: the most specific", () => {
    expect(current("/study")).toEqual(["Library"]);
    expect(current("/study/items/3f1c/quiz")).toEqual(["Library"]);
    expect(current("/study/items/3f1c")).toEqual(["Library"]);
    expect(current("/study/results")).toEqual(["Results"]);
    expect(current("/study/review")).toEqual(["Review"]);
    expect(current("/study/shared")).toEqual(["Shared with me"]);
    expect(current("/study/live/abc")).toEqual(["Live"]);
  });

  it("keeps prefix matching elsewhere", () => {
    expect(current("/chat/123")).toEqual(["Chat"]);
    expect(current("/studio/reels/x")).toEqual(["Studio reels"]);
    expect(current("/credits/usage")).toEqual(["Credit usage"]);
  });
});
