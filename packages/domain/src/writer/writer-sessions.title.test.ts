import { describe, expect, it } from "vitest";
import { createAiProvider } from "../ai/index.ts";
import { cleanTitle, MAX_TITLE_CHARS, TITLE_PROMPT, truncateGraphemes } from "./writer-sessions.service.ts";

describe("session titles", () => {
  it("are cut between graphemes: a flag or a family emoji is kept whole or left out, never halved", () => {
    const family = "👨‍👩‍👧‍👦"; // 7 code points
    const title = cleanTitle(`${"a".repeat(75)}${family} and more words`, "x");
    expect([...title].length).toBeLessThanOrEqual(MAX_TITLE_CHARS);
    expect(title).toBe(`${"a".repeat(75)}…`);
    // A code-point cut would keep half of the flag (one regional indicator).
    expect(truncateGraphemes(`${"b".repeat(73)}🇬🇧 tail`, 75)).toBe(`${"b".repeat(73)}…`);
    expect(truncateGraphemes(`${"b".repeat(72)}🇬🇧🇫🇷 tail`, 75)).toBe(`${"b".repeat(72)}🇬🇧…`);
    expect(cleanTitle("🙂".repeat(100), "x")).toMatch(/^(?:🙂)+…$/u);
  });

  it("offline, the title prompt gets the concept as a title, not the opening of a templated post", async () => {
    const ai = createAiProvider({ provider: "offline" });
    const concept = "Pricing a coffee subscription for remote teams";
    const result = await ai.chat({
      messages: [
        { role: "system", content: TITLE_PROMPT },
        { role: "user", content: concept },
      ],
      maxTokens: 20,
    });
    // At most six words, as the prompt asks; before, it was "Let's talk about Pricing a coffee".
    expect(cleanTitle(result.text, concept)).toBe("Pricing a coffee subscription for remote");
  });
});
