import type { OpenAiCompatibleServer } from "@inkwell/domain/ai/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, startHarnessWithLocalModel } from "./harness.ts";

type Caller = Awaited<ReturnType<Harness["signUp"]>>["caller"];
type Event =
  | { type: "delta"; offset: number; text: string }
  | { type: "final"; status: string; length: number; metadata: Record<string, unknown>; error: string | null };

let keyCounter = 0;
const key = () => `tools-${Date.now()}-${++keyCounter}`;

async function follow(caller: Caller, messageId: string) {
  let text = "";
  let final: Extract<Event, { type: "final" }> | undefined;
  for await (const envelope of (await caller.chat.stream({ messageId })) as AsyncIterable<unknown>) {
    const [, event] = envelope as [string, Event];
    if (event.type === "delta") {
      expect(event.offset).toBe(text.length);
      text += event.text;
    } else final = event;
  }
  return { text, final };
}

const available = async (caller: Caller) => (await caller.credits.balance()).available;

describe("chat tools with the offline provider", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  it("a companion message asking for a breathing exercise stores the call, its result and the reply, for one charge", async () => {
    const u = await h.signUp("breather");
    const c = await u.caller.chat.create({ assistant: "companion" });
    const before = await available(u.caller);
    const sentText = "Could you guide me through a breathing exercise, 3 rounds?";
    const sentKey = key();
    const s = await u.caller.chat.send({ conversationId: c.id, content: sentText, idempotencyKey: sentKey });
    const streamed = await follow(u.caller, s.assistantMessage.id);
    expect(streamed.final?.status).toBe("complete");

    const { messages } = await u.caller.chat.get({ conversationId: c.id });
    expect(messages.map((m) => [m.role, m.status])).toEqual([
      ["user", "complete"],
      ["assistant", "complete"],
      ["tool", "complete"],
      ["assistant", "complete"],
    ]);
    const [, calls, result, reply] = messages;
    expect(calls!.toolCalls).toHaveLength(1);
    expect(calls!.toolCalls![0]).toMatchObject({ name: "breathing_exercise" });
    expect(JSON.parse(calls!.toolCalls![0]!.arguments)).toEqual({ technique: "box", rounds: 3 });
    expect(result).toMatchObject({ toolName: "breathing_exercise", toolCallId: calls!.toolCalls![0]!.id });
    const exercise = JSON.parse(result!.content);
    expect(exercise).toMatchObject({ technique: "box", rounds: 3, secondsPerRound: 16, totalSeconds: 48 });
    expect(exercise.steps.map((x: { action: string; seconds: number }) => [x.action, x.seconds])).toEqual([
      ["inhale", 4],
      ["hold", 4],
      ["exhale", 4],
      ["hold", 4],
    ]);
    // The client's one streaming message is the final reply, with the text it streamed.
    expect(reply!.id).toBe(s.assistantMessage.id);
    expect(reply!.content).toBe(streamed.text);
    expect(reply!.content).toContain("breathing_exercise returned");
    expect(reply!.metadata).toMatchObject({ toolsCalled: ["breathing_exercise"], credits: 2 });
    expect(await available(u.caller)).toBe(before - 2);
    // Ordinary messages keep their shape (no tool fields).
    expect(messages[0]).not.toHaveProperty("toolCalls");
    expect(reply).not.toHaveProperty("toolCalls");

    // The same key replays the reply itself, not the tool step.
    const again = await u.caller.chat.send({ conversationId: c.id, content: sentText, idempotencyKey: sentKey });
    expect(again.assistantMessage.id).toBe(s.assistantMessage.id);

    // Regenerating replaces the whole reply, tool steps included.
    const regen = await u.caller.chat.regenerate({ conversationId: c.id });
    await follow(u.caller, regen.assistantMessage.id);
    const after = (await u.caller.chat.get({ conversationId: c.id })).messages;
    expect(after.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(after.some((m) => m.id === calls!.id || m.id === result!.id)).toBe(false);
  });

  it("the quiz tool uses only the caller's own documents", async () => {
    const other = await h.signUp("quiz-other");
    await other.caller.chat.addDocument({
      title: "Secret zebrafish notes",
      kind: "note",
      content:
        "Zebrafish regenerate their mitochondria-rich heart tissue after injury. Zebrafish quizzes mention mitochondria often.",
    });
    const u = await h.signUp("quizzer");
    const c = await u.caller.chat.create({ assistant: "tutor" });
    await u.caller.chat.addDocument({
      title: "Biology notes",
      kind: "note",
      conversationId: c.id,
      content:
        "Mitochondria are the powerhouse of the cell. Mitochondria produce ATP through cellular respiration. " +
        "Chloroplasts capture light energy during photosynthesis in plants.",
    });
    const s = await u.caller.chat.send({
      conversationId: c.id,
      content: "Make a quiz about mitochondria with 2 questions",
      idempotencyKey: key(),
    });
    expect((await follow(u.caller, s.assistantMessage.id)).final?.status).toBe("complete");
    const { messages } = await u.caller.chat.get({ conversationId: c.id });
    const tool = messages.find((m) => m.role === "tool")!;
    expect(tool.toolName).toBe("quiz_from_document");
    const quiz = JSON.parse(tool.content);
    expect(quiz.questions).toHaveLength(2);
    for (const q of quiz.questions) {
      expect(q.choices).toHaveLength(4);
      expect(q.answerIndex).toBeGreaterThanOrEqual(0);
      expect(q.answerIndex).toBeLessThan(4);
      expect(q.source).toBe("Biology notes");
    }
    expect(quiz.sources).toEqual(["Biology notes"]);
    const everything = JSON.stringify(messages);
    expect(everything).toContain("powerhouse");
    expect(everything).not.toMatch(/zebrafish/i);
    expect(messages.at(-1)!.metadata.toolsCalled).toEqual(["quiz_from_document"]);
  });

  it("without documents the quiz tool answers with an error result, and the reply still completes", async () => {
    const u = await h.signUp("quiz-empty");
    const c = await u.caller.chat.create({ assistant: "tutor" });
    const s = await u.caller.chat.send({ conversationId: c.id, content: "Quiz me on my notes", idempotencyKey: key() });
    expect((await follow(u.caller, s.assistantMessage.id)).final?.status).toBe("complete");
    const tool = (await u.caller.chat.get({ conversationId: c.id })).messages.find((m) => m.role === "tool")!;
    expect(JSON.parse(tool.content).error).toMatch(/no workspace documents/);
    expect(tool.metadata.toolError).toBe(true);
  });
});

describe("chat tools through the local OpenAI-compatible server", () => {
  let h: Harness;
  let server: OpenAiCompatibleServer;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ h, server, stop } = await startHarnessWithLocalModel());
  });
  afterAll(() => stop());

  const chatRequests = () => server.requests.filter((r) => r.path.endsWith("/chat/completions"));
  type Wire = {
    messages: { role: string; content: string | null; tool_calls?: { id: string }[]; tool_call_id?: string }[];
    tools?: { function: { name: string } }[];
    tool_choice?: unknown;
  };

  it("round trip: the call and its result are stored, the result goes back to the model, the reply streams", async () => {
    server.setReply(null);
    server.setToolCall({ name: "breathing_exercise", arguments: { technique: "4-7-8", rounds: 2 }, id: "call_breathe" });
    const u = await h.signUp("wire-breather");
    const c = await u.caller.chat.create({ assistant: "companion" });
    const before = await available(u.caller);
    const sentAt = chatRequests().length;
    const s = await u.caller.chat.send({ conversationId: c.id, content: "Help me calm down", idempotencyKey: key() });
    const streamed = await follow(u.caller, s.assistantMessage.id);
    expect(streamed.final?.status).toBe("complete");
    expect(streamed.final?.metadata.toolsCalled).toEqual(["breathing_exercise"]);

    const [first, second] = chatRequests()
      .slice(sentAt)
      .map((r) => r.body as Wire);
    expect(first!.tools!.map((t) => t.function.name)).toEqual(["breathing_exercise"]);
    const toolMsg = second!.messages.at(-1)!;
    expect(toolMsg).toMatchObject({ role: "tool", tool_call_id: "call_breathe" });
    expect(JSON.parse(toolMsg.content as string)).toMatchObject({ technique: "4-7-8", rounds: 2, totalSeconds: 38 });
    expect(second!.messages.at(-2)!.tool_calls![0]!.id).toBe("call_breathe");

    const { messages } = await u.caller.chat.get({ conversationId: c.id });
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(messages[1]!.toolCalls).toEqual([
      { id: "call_breathe", name: "breathing_exercise", arguments: JSON.stringify({ technique: "4-7-8", rounds: 2 }) },
    ]);
    expect(messages[2]).toMatchObject({ toolCallId: "call_breathe", toolName: "breathing_exercise", status: "complete" });
    const reply = messages[3]!;
    expect(reply.id).toBe(s.assistantMessage.id);
    expect(reply.status).toBe("complete");
    expect(reply.content).toBe(streamed.text);
    expect(reply.content).toBe(`Tool result: ${messages[2]!.content}`);
    expect(reply.metadata).toMatchObject({ toolsCalled: ["breathing_exercise"], credits: 2 });
    expect(await available(u.caller)).toBe(before - 2);

    // The next turn's context carries the earlier call and its result in the wire format.
    const next = await u.caller.chat.send({ conversationId: c.id, content: "Thanks", idempotencyKey: key() });
    await follow(u.caller, next.assistantMessage.id);
    const wire = chatRequests().at(-1)!.body as Wire;
    const roles = wire.messages.map((m) => m.role);
    expect(roles).toEqual(["system", "user", "assistant", "tool", "assistant", "user"]);
    expect(wire.messages[2]!.tool_calls![0]!.id).toBe("call_breathe");
  });

  it("invalid tool arguments become an error result the model reads, not a failed reply", async () => {
    server.setReply(null);
    const u = await h.signUp("wire-invalid");
    const c = await u.caller.chat.create({ assistant: "companion" });
    for (const [args, pattern] of [
      [{ technique: "square", rounds: 50 }, /technique.*rounds|rounds.*technique/s],
      ["{not json", /not valid JSON/],
    ] as const) {
      server.setToolCall({ name: "breathing_exercise", arguments: args });
      const s = await u.caller.chat.send({ conversationId: c.id, content: "Breathe with me", idempotencyKey: key() });
      const streamed = await follow(u.caller, s.assistantMessage.id);
      expect(streamed.final?.status).toBe("complete");
      const messages = (await u.caller.chat.get({ conversationId: c.id })).messages;
      const tool = messages.findLast((m) => m.role === "tool")!;
      const error = JSON.parse(tool.content).error as string;
      expect(error).toMatch(/^Invalid arguments/);
      expect(error).toMatch(pattern);
      expect(tool.metadata.toolError).toBe(true);
      const sent = chatRequests().at(-1)!.body as Wire;
      expect(sent.messages.at(-1)).toMatchObject({ role: "tool", content: tool.content });
      expect(messages.at(-1)).toMatchObject({ id: s.assistantMessage.id, status: "complete" });
    }
  });

  it("an unknown tool name is an error result too", async () => {
    server.setReply(null);
    server.setToolCall({ name: "quiz_from_document", arguments: { topic: "x", questions: 1 } });
    const u = await h.signUp("wire-unknown");
    const c = await u.caller.chat.create({ assistant: "companion" });
    const s = await u.caller.chat.send({ conversationId: c.id, content: "Hi", idempotencyKey: key() });
    expect((await follow(u.caller, s.assistantMessage.id)).final?.status).toBe("complete");
    const tool = (await u.caller.chat.get({ conversationId: c.id })).messages.find((m) => m.role === "tool")!;
    expect(JSON.parse(tool.content).error).toMatch(/Unknown tool/);
  });
});
