import fc from "fast-check";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import type { ChatRequest, ChatStreamEvent } from "../ai.types.ts";
import { createOfflineProvider } from "./offline.ts";

const ai = createOfflineProvider({ embeddingDimensions: 1536 });
const ask = (content: string, system?: string): ChatRequest => ({
  messages: [...(system ? [{ role: "system" as const, content: system }] : []), { role: "user" as const, content }],
});

async function collect(stream: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const events: ChatStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

const cosine = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * (b[i] as number), 0);

describe("offline provider: deterministic", () => {
  const request = ask("Write a polished LinkedIn post about remote onboarding for engineering teams.");

  it("gives identical chat text for identical input, and different text for different input", async () => {
    const a = await ai.chat(request);
    const b = await createOfflineProvider({ embeddingDimensions: 1536 }).chat(request);
    expect(b.text).toBe(a.text);
    expect(a.model).toBe("offline-text-v1");
    expect((await ai.chat(ask("Write a polished LinkedIn post about sourdough starters."))).text).not.toBe(a.text);
    expect(ai.offline).toBe(true);
    expect(ai.name).toBe("offline");
  });

  it("streams the same text word by word, then one done event with approximate usage", async () => {
    const { text } = await ai.chat(request);
    const events = await collect(ai.chatStream(request));
    const deltas = events.flatMap((e) => (e.type === "delta" ? [e.text] : []));
    expect(deltas.length).toBeGreaterThan(10);
    expect(deltas.join("")).toBe(text);
    const done = events.at(-1);
    expect(done).toMatchObject({ type: "done", model: "offline-text-v1", finishReason: "stop" });
    expect(done?.type === "done" && done.usage.outputTokens).toBe(Math.ceil(text.length / 4));
    expect(events.filter((e) => e.type === "done")).toHaveLength(1);
  });

  it("stops a stream when its signal aborts", async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    await expect(async () => {
      for await (const event of ai.chatStream(request, { signal: controller.signal })) {
        if (event.type === "delta") seen.push(event.text);
        if (seen.length === 3) controller.abort();
      }
    }).rejects.toThrow(/abort/i);
    expect(seen).toHaveLength(3);
  });

  it("gives identical embeddings and identical PNG bytes, in any process", async () => {
    const texts = ["The cat sat on the mat", "Quarterly revenue grew"];
    expect((await ai.embed(texts)).vectors).toEqual((await ai.embed(texts)).vectors);
    const { jobId } = await ai.image.submit({ prompt: "a red fox in snow", width: 300, height: 200, seed: 7 });
    // A fresh provider stands in for another process: the job id alone is enough.
    const elsewhere = createOfflineProvider({ embeddingDimensions: 1536 });
    const first = await ai.image.status(jobId);
    const second = await elsewhere.image.status(jobId);
    expect(first.status).toBe("completed");
    expect(second.resultUrls).toEqual(first.resultUrls);
    const other = await ai.image.status((await ai.image.submit({ prompt: "a blue whale", width: 300, height: 200 })).jobId);
    expect(other.resultUrls[0]).not.toBe(first.resultUrls[0]);
  });
});

describe("offline provider: follows the brief", () => {
  const formats = [
    "LinkedIn post",
    "X thread",
    "tweet",
    "bullet list",
    "blog article",
    "newsletter email",
    "Instagram caption",
    "numbered list",
    "note",
  ];
  const styles = ["polished", "natural", "punchy"];

  it("stays within any character limit (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 40, max: 3000 }),
        fc.constantFrom(...formats),
        fc.constantFrom(...styles),
        fc.string({ minLength: 1, maxLength: 80 }),
        fc.boolean(),
        async (limit, format, style, topic, grounded) => {
          const context = grounded
            ? "\n\nContext:\n[1] Teams that document onboarding ship their first change in two days.\n[2] Pairing beats long videos."
            : "";
          const { text } = await ai.chat(ask(`Write a ${style} ${format} about ${topic}. Max ${limit} characters.${context}`));
          expect(text.length).toBeLessThanOrEqual(limit);
          expect(text.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("stays within a word limit and maxTokens (then finishReason is length)", async () => {
    const words = (await ai.chat(ask("Write a blog article about sourdough baking in 25 words"))).text.split(/\s+/);
    expect(words.length).toBeLessThanOrEqual(25);
    // A count without a cue is not a length.
    expect((await ai.chat(ask("Write a story with 3 characters about a dragon"))).text.length).toBeGreaterThan(50);
    const capped = await ai.chat({ ...ask("Write a long email newsletter about our spring sale"), maxTokens: 12 });
    expect(capped.finishReason).toBe("length");
    expect(capped.usage.outputTokens).toBeLessThanOrEqual(12);
  });

  it("uses grounding snippets' key phrases and cites them, even under a tight limit", async () => {
    const prompt =
      "Write a LinkedIn post about our onboarding. Max 400 characters.\n\nContext:\n[1] New hires ship their first change within two days. They pair with a buddy.\n[2] Documentation lives next to the code.";
    const { text } = await ai.chat(ask(prompt));
    expect(text).toContain("New hires ship their first change within two days [1]");
    expect(text).toContain("Documentation lives next to the code [2]");
    expect(text.length).toBeLessThanOrEqual(400);
    // Unnumbered lines after a "Sources:" header are numbered in order.
    const unnumbered = await ai.chat(
      ask("Summarise in a bullet list.\nSources:\nTides follow the moon.\nSpring tides are larger."),
    );
    expect(unnumbered.text).toContain("Tides follow the moon [1]");
    expect(unnumbered.text).toContain("Spring tides are larger [2]");
  });

  it("lays out the asked-for format", async () => {
    const thread = (await ai.chat(ask("Write an X thread about composting at home, 120 characters per post"))).text.split("\n\n");
    expect(thread.length).toBeGreaterThan(2);
    for (const [i, post] of thread.entries()) {
      expect(post.startsWith(`${i + 1}/${thread.length} `)).toBe(true);
      expect(post.length).toBeLessThanOrEqual(120);
    }
    const linkedin = (await ai.chat(ask("Write a LinkedIn post about composting at home"))).text;
    expect(linkedin.split("\n\n").at(-1)).toMatch(/^#Composting/);
    const bullets = (await ai.chat(ask("Give me a bullet list about composting at home"))).text.split("\n");
    for (const line of bullets) expect(line.startsWith("- ")).toBe(true);
    expect((await ai.chat(ask("Write an email about composting"))).text).toMatch(/^Subject: /);
    expect((await ai.chat(ask("Write a tweet about composting at home"))).text.length).toBeLessThanOrEqual(280);
  });
});

describe("offline provider: embeddings", () => {
  it("are L2-normalised, of the configured size, and closer for texts about the same words", async () => {
    const small = createOfflineProvider({ embeddingDimensions: 256 });
    const { vectors, dimensions, usage } = await small.embed([
      "The cat sat on the mat",
      "A cat was sitting on a mat",
      "Quarterly revenue grew in Europe",
      "🙂🙂",
    ]);
    expect(dimensions).toBe(256);
    expect(usage.inputTokens).toBeGreaterThan(0);
    for (const v of vectors) {
      expect(v).toHaveLength(256);
      expect(Math.sqrt(cosine(v, v))).toBeCloseTo(1, 10);
    }
    const [cat, cats, revenue] = vectors as [number[], number[], number[]];
    expect(cosine(cat, cats)).toBeGreaterThan(cosine(cat, revenue) + 0.2);
    expect((await ai.embed(["x"])).vectors[0]).toHaveLength(1536);
  });

  it("refuses an empty text like the openai provider does", async () => {
    await expect(ai.embed(["fine", "  "])).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });
});

describe("offline provider: images, vision, transcription", () => {
  it("renders a PNG of the requested size, capped at 1024", async () => {
    const decode = async (width: number, height: number) => {
      const { resultUrls } = await ai.image.status((await ai.image.submit({ prompt: "lighthouse", width, height })).jobId);
      return PNG.sync.read(Buffer.from((resultUrls[0] as string).replace(/^data:image\/png;base64,/, ""), "base64"));
    };
    expect(await decode(320, 200)).toMatchObject({ width: 320, height: 200 });
    expect(await decode(4000, 50)).toMatchObject({ width: 1024, height: 50 });
  });

  it("refuses a job id it did not make", async () => {
    await expect(ai.image.status("offline:not-json")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(ai.image.status("gen-1")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("describes images and audio from what the bytes say, marked offline", async () => {
    const png = PNG.sync.write(new PNG({ width: 64, height: 48 }));
    const described = await ai.describeImage({ bytes: png, mimeType: "image/png", prompt: "What is in this picture?" });
    expect(described.text).toMatch(/^\[offline\]/);
    expect(described.text).toContain("64×48 PNG");
    expect((await ai.describeImage({ bytes: png, mimeType: "image/png", prompt: "What is in this picture?" })).text).toBe(
      described.text,
    );
    const remote = await ai.describeImage({ imageUrl: "https://cdn.example.com/a/photo.jpg?token=secret", prompt: "Describe" });
    expect(remote.text).toContain("https://cdn.example.com/a/photo.jpg");
    expect(remote.text).not.toContain("secret");
    const heard = await ai.transcribe({ audio: new Uint8Array(2048), mimeType: "audio/webm", filename: "memo.webm" });
    expect(heard.text).toBe("[offline] No transcription model is configured; received memo.webm (audio/webm, 2.0 KB).");
  });
});
