import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChatMessage, ChatRequest, ChatResult } from "./ai.types.ts";
import { estimateTokens, fitToContext, messageTokens, SUMMARY_PREFIX, summarizeForContext } from "./context.ts";
import { createOfflineProvider } from "./providers/offline.ts";

const text = fc.string({ maxLength: 120 });

/** A turn of a well-formed conversation; "tools" is an assistant's calls followed by every result. */
const turn: fc.Arbitrary<ChatMessage[]> = fc.oneof(
  text.map((content): ChatMessage[] => [{ role: "system", content }]),
  text.map((content): ChatMessage[] => [{ role: "user", content }]),
  text.map((content): ChatMessage[] => [{ role: "assistant", content }]),
  fc
    .tuple(text, fc.array(fc.tuple(fc.string({ maxLength: 40 }), text), { minLength: 1, maxLength: 3 }), fc.nat())
    .map(([content, calls, salt]) => {
      const ids = calls.map((_, i) => `call_${salt}_${i}`);
      return [
        {
          role: "assistant",
          content,
          toolCalls: calls.map(([args], i) => ({ id: ids[i] as string, name: "lookup", arguments: args })),
        },
        ...calls.map(([, result], i) => ({ role: "tool" as const, toolCallId: ids[i] as string, content: result })),
      ] satisfies ChatMessage[];
    }),
);

const conversation = fc
  .tuple(
    fc.array(turn, { maxLength: 12 }),
    fc.oneof(
      text.map((content) => [{ role: "user", content }] as ChatMessage[]),
      turn,
    ),
  )
  .map(([turns, last]) => [...turns.flat(), ...last]);

const total = (messages: ChatMessage[]) => messages.reduce((sum, m) => sum + messageTokens(m), 0);

/** Every tool message follows (past other tool messages) an assistant message that made that call. */
function noOrphans(messages: ChatMessage[]): boolean {
  return messages.every((m, i) => {
    if (m.role !== "tool") return true;
    const asker = messages.slice(0, i).findLast((p) => p.role !== "tool");
    return asker?.role === "assistant" && (asker.toolCalls ?? []).some((c) => c.id === m.toolCallId);
  });
}

function isSubsequence(part: ChatMessage[], whole: ChatMessage[]): boolean {
  let at = 0;
  for (const m of whole) if (part[at] === m) at++;
  return at === part.length;
}

describe("estimateTokens", () => {
  it("is ceil(characters / 4)", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("abcd")).toBe(1);
    expect(estimateTokens("abcde")).toBe(2);
  });
});

describe("fitToContext", () => {
  it("within budget, keeps system messages and the newest group, in order, without orphan tool results", () => {
    fc.assert(
      fc.property(conversation, fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 100 }), (messages, max, reserve) => {
        const budget = max - reserve;
        const systems = messages.filter((m) => m.role === "system");
        // The newest group: the last non-system message and, for a tool result, its call and sibling results.
        const rest = messages.filter((m) => m.role !== "system");
        const lastAsker = rest.findLastIndex((m) => m.role !== "tool");
        const newest = rest.at(-1)?.role === "tool" ? rest.slice(lastAsker) : rest.slice(-1);
        const floor = total([...new Set([...systems, ...newest])]);
        let result: ReturnType<typeof fitToContext>;
        try {
          result = fitToContext(messages, { maxInputTokens: max, reserveForOutput: reserve });
        } catch (error) {
          expect(error).toMatchObject({ code: "INVALID_INPUT" });
          expect(floor).toBeGreaterThan(budget);
          return;
        }
        expect(floor).toBeLessThanOrEqual(budget);
        expect(total(result.messages)).toBeLessThanOrEqual(budget);
        for (const m of systems) expect(result.messages).toContain(m);
        for (const m of newest) expect(result.messages).toContain(m);
        expect(isSubsequence(result.messages, messages)).toBe(true);
        expect(noOrphans(result.messages)).toBe(true);
        expect(result.dropped).toBe(messages.length - result.messages.length);
        expect(result.droppedMessages).toHaveLength(result.dropped);
      }),
      { numRuns: 500 },
    );
  });

  it("uses a given tokenizer", () => {
    fc.assert(
      fc.property(conversation, fc.integer({ min: 0, max: 100 }), (messages, max) => {
        const countTokens = (s: string) => s.split(/\s+/).filter(Boolean).length;
        try {
          const { messages: kept } = fitToContext(messages, { maxInputTokens: max, reserveForOutput: 0, countTokens });
          expect(kept.reduce((sum, m) => sum + messageTokens(m, countTokens), 0)).toBeLessThanOrEqual(max);
        } catch (error) {
          expect(error).toMatchObject({ code: "INVALID_INPUT" });
        }
      }),
    );
  });

  it("drops the oldest first, as one unbroken run, and never splits a call from its result", () => {
    const long = "x".repeat(400); // 100 tokens + 4
    const messages: ChatMessage[] = [
      { role: "system", content: "Be brief." },
      { role: "user", content: long },
      { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "search", arguments: "{}" }] },
      { role: "tool", toolCallId: "c1", content: long },
      { role: "assistant", content: "Found it." },
      { role: "user", content: "Thanks!" },
    ];
    const fit = fitToContext(messages, { maxInputTokens: 150, reserveForOutput: 20 });
    expect(fit.messages.map((m) => m.role)).toEqual(["system", "assistant", "user"]);
    expect(fit.dropped).toBe(3);
    expect(fitToContext(messages, { maxInputTokens: 1000, reserveForOutput: 0 })).toMatchObject({ dropped: 0, messages });
  });

  it("drops a tool result whose call is not in the conversation", () => {
    const messages: ChatMessage[] = [
      { role: "tool", toolCallId: "gone", content: "42" },
      { role: "user", content: "hi" },
    ];
    expect(fitToContext(messages, { maxInputTokens: 1000, reserveForOutput: 0 })).toMatchObject({
      messages: [{ role: "user", content: "hi" }],
      dropped: 1,
    });
  });

  it("refuses a newest message that cannot fit at all", () => {
    expect(() =>
      fitToContext([{ role: "user", content: "y".repeat(4000) }], { maxInputTokens: 500, reserveForOutput: 100 }),
    ).toThrow(expect.objectContaining({ code: "INVALID_INPUT" }));
  });
});

describe("summarizeForContext", () => {
  const dropped: ChatMessage[] = [
    { role: "user", content: "My name is Ada and I am planning a newsletter about urban beekeeping." },
    { role: "assistant", content: "Great, what should the first issue cover?" },
  ];

  it("makes one bounded chat call and returns a system message", async () => {
    const requests: ChatRequest[] = [];
    const offline = createOfflineProvider({ embeddingDimensions: 8 });
    let seen: ChatResult | undefined;
    const spy = {
      ...offline,
      chat: (request: ChatRequest) => {
        requests.push(request);
        return offline.chat(request);
      },
    };
    const summary = await summarizeForContext(spy, dropped, { maxTokens: 80, onResult: (r) => (seen = r) });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.maxTokens).toBe(80);
    expect(requests[0]?.messages.at(-1)?.content).toContain("User: My name is Ada");
    expect(summary?.role).toBe("system");
    expect(summary?.content.startsWith(`${SUMMARY_PREFIX} `)).toBe(true);
    expect(summary!.content.length).toBeGreaterThan(SUMMARY_PREFIX.length + 5);
    expect(seen?.usage.outputTokens).toBeGreaterThan(0);
  });

  it("does not call the provider when nothing was dropped", async () => {
    const offline = createOfflineProvider({ embeddingDimensions: 8 });
    let calls = 0;
    const spy = {
      ...offline,
      chat: (request: ChatRequest) => {
        calls++;
        return offline.chat(request);
      },
    };
    expect(await summarizeForContext(spy, [])).toBeNull();
    expect(calls).toBe(0);
  });
});
