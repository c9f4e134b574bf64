/**
 * What the writer-session tests share: a harness whose model is the local OpenAI-compatible server,
 * replying by the format named in the system prompt with text that breaks that format's rules (so the
 * rules' enforcement shows), and helpers to drain a session's stream and read a balance.
 */
import type { ChatBody } from "@inkwell/domain/ai/testing";
import type { DepsFor } from "@inkwell/domain/jobs/handlers";
import { type WriterFormat, type WriterStreamEvent, writerSessions } from "@inkwell/domain/writer";
import type { createCaller } from "../src/router.ts";
import { startHarnessWithLocalModel } from "./harness.ts";

export type Caller = ReturnType<typeof createCaller>;
export type WriterEnv = Awaited<ReturnType<typeof startWriterEnv>>;

let counter = 0;
export const key = () => `writer-key-${Date.now()}-${++counter}`;
export const words = (n: number, word = "word") => Array.from({ length: n }, (_, i) => `${word}${i}`).join(" ");

/** What the local model writes, by the format named in the system prompt (deliberately breaking each format's rules). */
export function formatOf(body: ChatBody): WriterFormat | null {
  const system = String(body.messages[0]?.content ?? "");
  if (system.includes("Write a LinkedIn post")) return "linkedin_post";
  if (system.includes("Write an X thread")) return "x_thread";
  if (system.includes("post for Threads")) return "threads_post";
  if (system.includes("Write a blog article")) return "blog_article";
  if (system.includes("Write an email newsletter")) return "newsletter";
  return null;
}

export const RULE_BREAKING: Record<WriterFormat, string> = {
  // Markdown and over 3,000 characters.
  linkedin_post: `## Big news\n\n**Bold** opener. ${"A sentence about bakeries and mornings. ".repeat(90)}`,
  // Unnumbered posts, one far over 280.
  x_thread: `Hook: bakeries win mornings.\n\n${"Fresh bread sells itself when people see it early. ".repeat(12)}\n\nThat is the whole trick.`,
  threads_post: `${"Short thought about bread. ".repeat(30)}`,
  // No headings at all.
  blog_article: "Bakeries that post daily sell more.\n\nThey show up in feeds every morning.\n\nCustomers remember them.",
  newsletter: "Subject: Bread week\n\nHi there,\n\nThis week we bake.",
};

/** Starts the harness and its local model; `reset` (before each test) restores the rule-breaking replies at full speed. */
export async function startWriterEnv() {
  const env = await startHarnessWithLocalModel();
  const { h, server } = env;
  const worker: DepsFor<"ai" | "mailer"> = { db: h.db, ai: h.deps.ai, mailer: undefined as never, log: h.deps.log };
  const chatRequests = () => server.requests.filter((r) => r.path.endsWith("/chat/completions"));
  return {
    ...env,
    worker,
    chatRequests,
    bodiesAbout: (concept: string) =>
      chatRequests()
        .map((r) => r.body as ChatBody)
        .filter((b) => JSON.stringify(b.messages).includes(concept) && formatOf(b)),
    reset() {
      server.setReply((body) => {
        const format = formatOf(body);
        return format ? RULE_BREAKING[format] : "Bakery mornings";
      });
      server.setTokenDelayMs(0);
      server.setFirstTokenDelayMs(0);
    },
    async stop() {
      await writerSessions.settled();
      await env.stop();
    },
  };
}

/** Drains the session's stream to the end. */
export async function collect(caller: Caller, sessionId: string) {
  const events: WriterStreamEvent[] = [];
  const iterable = (await caller.writer.sessions.stream({ sessionId })) as AsyncIterable<unknown>;
  // Each event is tracked (an [id, data] envelope) for SSE reconnects.
  for await (const envelope of iterable) events.push((envelope as [string, WriterStreamEvent])[1]);
  return events;
}

export const available = async (caller: Caller) => (await caller.credits.balance()).available;
