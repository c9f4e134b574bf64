import { describe, expect, it } from "vitest";
import { promptVariationsReply } from "../../studio/prompts.schemas.ts";
import { createOfflineProvider } from "./offline.ts";
import { renderPng } from "./offline-image.ts";
import { offlinePromptVariations, readImageFacts } from "./offline-image-prompts.ts";

const offline = createOfflineProvider({ embeddingDimensions: 8 });

async function describeSized(width: number, height: number) {
  const bytes = renderPng({ prompt: "test", width, height });
  return (await offline.describeImage({ prompt: "Describe it", bytes, mimeType: "image/png" })).text;
}

describe("offline image-prompt variations", () => {
  it("are five valid, distinct, deterministic variations built from the size the offline description states", async () => {
    const description = await describeSized(64, 32);
    expect(readImageFacts(description)).toEqual({ width: 64, height: 32, format: "PNG" });
    const variations = offlinePromptVariations({ description });
    expect(promptVariationsReply.parse({ variations }).variations).toHaveLength(5);
    expect(new Set(variations.map((v) => v.label)).size).toBe(5);
    for (const v of variations) expect(v.prompt).toContain("landscape frame (2:1, 64×32 px) like the reference PNG");
    expect(offlinePromptVariations({ description })).toEqual(variations);
    const tall = offlinePromptVariations({ description: await describeSized(30, 40) });
    expect(tall[0]?.prompt).toContain("portrait frame (3:4, 30×40 px)");
  });

  it("name the persona and stay within the limits whatever its description", async () => {
    const description = await describeSized(50, 50);
    const variations = offlinePromptVariations({ description, persona: { name: "Mila", description: "x ".repeat(2000) } });
    expect(promptVariationsReply.parse({ variations }).variations.every((v) => v.prompt.startsWith("Mila, "))).toBe(true);
  });

  it("say so when the file's size is unknown", () => {
    const [first] = offlinePromptVariations({ description: "[offline] an image (image/heic)" });
    expect(first?.prompt).toContain("an unknown orientation");
  });
});
