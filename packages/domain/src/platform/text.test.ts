import { describe, expect, it } from "vitest";
import { DISALLOWED_TEXT_MESSAGE, findDisallowedText, isAllowedText, text } from "./text.ts";

describe("text()", () => {
  const name = text({ max: 20, min: 1 });
  const body = text({ max: 200, multiline: true });

  it("accepts ordinary text in any script, emoji included, trimmed", () => {
    expect(name.parse("  Zoë 山田 👋🏽 ")).toBe("Zoë 山田 👋🏽");
    expect(body.parse("First line\n\tindented\r\nlast")).toBe("First line\n\tindented\r\nlast");
  });

  it("refuses NUL, other control characters and lone surrogates with one clear message", () => {
    for (const bad of ["a\u0000b", "a\u0007b", "a\u001bb", "a\u007fb", "a\u0085b", "a\ud800b", "a\udfffb", "\ud83d"]) {
      const result = name.safeParse(bad);
      expect(result.success, JSON.stringify(bad)).toBe(false);
      expect(result.error?.issues[0]?.message).toBe(DISALLOWED_TEXT_MESSAGE);
      expect(body.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it("allows line breaks and tabs only where multi-line", () => {
    expect(name.safeParse("two\nlines").success).toBe(false);
    expect(name.safeParse("tab\there").success).toBe(false);
    expect(body.safeParse("two\nlines").success).toBe(true);
  });

  it("checks length after trimming", () => {
    expect(name.safeParse("   ").error?.issues[0]?.message).toBe("Cannot be empty");
    expect(name.safeParse("x".repeat(21)).error?.issues[0]?.message).toBe("Use at most 20 characters");
  });
});

describe("the edge rule", () => {
  it("lets tab, line breaks, C1 characters and surrogate pairs through", () => {
    expect(isAllowedText("a\tb\nc\r\nd \u0085 😀")).toBe(true);
  });

  it("refuses NUL, the other C0 controls, DEL and lone surrogates", () => {
    for (let c = 0; c < 0x20; c++) {
      if (c === 0x09 || c === 0x0a || c === 0x0d) continue;
      expect(isAllowedText(`x${String.fromCharCode(c)}`), `U+${c.toString(16)}`).toBe(false);
    }
    expect(isAllowedText("\u007f")).toBe(false);
    expect(isAllowedText("\ud800")).toBe(false);
    expect(isAllowedText("x\udc00")).toBe(false);
  });

  it("names the path of the first refused string, keys included", () => {
    expect(findDisallowedText({ a: "ok", b: [{ c: "ok" }, { c: "bad\u0000" }] })).toEqual({ path: "b.1.c" });
    expect(findDisallowedText("\ud800")).toEqual({ path: "" });
    expect(findDisallowedText({ prefs: { "k\u0000": 1 } })).toEqual({ path: "prefs.k\ufffd" });
    expect(findDisallowedText({ a: 1, b: null, c: true, d: ["fine", { e: "fine\n" }] })).toBeNull();
  });

  it("walks deep nesting and huge arrays without exhausting the stack, quickly", () => {
    let deep: unknown = "bad\u0001";
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const started = performance.now();
    expect(findDisallowedText(deep)?.path.split(".")).toHaveLength(100_000);
    const huge = Array.from({ length: 1_000_000 }, () => "fine");
    expect(findDisallowedText(huge)).toBeNull();
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
