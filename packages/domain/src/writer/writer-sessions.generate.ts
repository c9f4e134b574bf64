/**
 * Generating writer outputs on the generation engine (../generation): per run, the knowledge, brand
 * and voice are loaded once after the holds; per output, the text streams from the provider to this
 * process's subscribers and (in batches, with a notice to other instances) to the output's draft, then
 * the format rules and banned phrases are enforced and the text is stored as a version with the charge.
 */
import { asUser, type Database } from "@inkwell/db";
import type { AiProvider, ChatMessage } from "../ai/index.ts";
import { estimateTokens } from "../ai/index.ts";
import { defaultEngine, type GenerationEngine, type Launched, REFETCH, writeBehind } from "../generation/index.ts";
import { knowledge as knowledgeBase } from "../knowledge/index.ts";
import { DomainError } from "../platform/errors.ts";
import type { Enqueue, Logger } from "../platform/queue.ts";
import { type Actor, usage } from "../usage/index.ts";
import { charLength, WRITER_FORMAT_BY_ID, WRITER_STYLE_GUIDANCE, type WriterFormat, type WriterStyle } from "./writer-formats.ts";
import { cleanModelText, finishOutput, rewriteInstruction } from "./writer-sessions.finish.ts";
import { loadGuidance, scrubBanned, type WriterGuidance } from "./writer-sessions.guidance.ts";
import * as live from "./writer-sessions.live.ts";
import * as repo from "./writer-sessions.repository.ts";
import {
  DEFAULT_SESSION_TITLE,
  type KnowledgeUsed,
  type WriterStreamEvent,
  type WriterVersion,
} from "./writer-sessions.schemas.ts";

export interface WriterSessionDeps {
  db: Database;
  ai: AiProvider;
  enqueue: Enqueue;
  log: Logger;
  rateLimits?: Parameters<typeof usage.runMetered>[0]["rateLimits"];
  /** Streamed text is written to the output's draft at least this often, or every `flushDeltas` deltas. */
  flushMs?: number;
  flushDeltas?: number;
  /** The process's generation engine (tests play two API instances with two). */
  engine?: GenerationEngine;
}

export const engineOf = (deps: { engine?: GenerationEngine }) => deps.engine ?? defaultEngine;

export const GENERATE = "writer.generate";
export const ITERATE = "writer.iterate";
/** Knowledge entries put in a prompt, and the characters of each. */
export const KNOWLEDGE_ENTRIES = 5;
const KNOWLEDGE_CHARS = 1500;

/** Room for each format's longest reasonable text (and a margin, since the rules are enforced afterwards). */
export const MAX_TOKENS: Record<WriterFormat, number> = {
  linkedin_post: 1200,
  x_thread: 1200,
  threads_post: 400,
  blog_article: 3000,
  newsletter: 2000,
};

export interface Target {
  outputId: string;
  format: WriterFormat;
  /** The version being revised (an iteration), or null for a first generation. */
  previous: WriterVersion | null;
  /** The credit hold's idempotency key: one metered generation per output per run. */
  meterKey: string;
}

export interface Run {
  session: repo.SessionRow;
  operation: typeof GENERATE | typeof ITERATE;
  instruction: string | null;
  targets: Target[];
}

/** What every output of a run shares: knowledge, brand and voice, loaded once (after the holds are taken). */
export interface RunContext {
  knowledge: { id: string; title: string; category: string; content: string }[];
  knowledgeTokens: number;
  guidance: WriterGuidance;
}

/**
 * Starts every target's generation; resolves once each has taken its rate limit and credit hold (or
 * was refused). A refused output is marked failed with the reason; `all` says nothing started.
 */
export async function startRun(deps: WriterSessionDeps, actor: Actor, run: Run): Promise<{ all: boolean; error: unknown }> {
  let context: Promise<RunContext> | null = null;
  const loadContext = () => {
    context ??= runContext(deps, actor.userId, run);
    return context;
  };
  const results = await Promise.allSettled(run.targets.map((t) => startOutput(deps, actor, run, t, loadContext)));
  const refused = results.flatMap((r, i) =>
    r.status === "rejected" ? [{ target: run.targets[i] as Target, error: r.reason }] : [],
  );
  if (refused.length === run.targets.length) return { all: true, error: refused[0]?.error };
  if (refused.length) {
    await asUser(deps.db, actor.userId, async (tx) => {
      for (const r of refused) {
        await repo.setOutputState(tx, r.target.outputId, { status: "failed", error: errorText(r.error) });
        await engineOf(deps).bus.notify(tx, live.channelOf(run.session.id), REFETCH);
      }
    }).catch((err) => deps.log.error({ err }, "could not mark refused writer outputs"));
  }
  return { all: false, error: null };
}

async function runContext(deps: WriterSessionDeps, userId: string, run: Run): Promise<RunContext> {
  let knowledge: RunContext["knowledge"] = [];
  let knowledgeTokens = 0;
  const worthRetrieving = run.session.use_knowledge && (await asUser(deps.db, userId, (tx) => repo.hasReadyKnowledge(tx)));
  if (worthRetrieving) {
    try {
      const found = await knowledgeBase.retrieveForConcept(deps, userId, run.session.concept, KNOWLEDGE_ENTRIES);
      knowledge = found.entries.map((m) => ({
        id: m.entry.id,
        title: m.entry.title,
        category: m.entry.category,
        content: m.entry.content,
      }));
      knowledgeTokens = found.embeddingTokens;
    } catch (err) {
      // Knowledge is a help, not a requirement: write without it rather than fail.
      deps.log.warn({ err, sessionId: run.session.id }, "could not retrieve knowledge for a writer session");
    }
  }
  // Brand and voice in one short transaction, with no model call inside it.
  const guidance = await asUser(deps.db, userId, async (tx) => {
    if (knowledge.length) {
      const s = await repo.findSession(tx, run.session.id);
      if (s) {
        const used: KnowledgeUsed[] = knowledge.map(({ id, title, category }) => ({ id, title, category }));
        // Newest retrieval first, each entry once: every entry any generation of the session used.
        const merged = [...used, ...repo.knowledgeUsedOf(s).filter((k) => !used.some((u) => u.id === k.id))];
        await repo.updateSession(tx, run.session.id, { knowledge_used: merged });
      }
    }
    return loadGuidance(tx, userId, run.session.voice_profile_id);
  });
  return { knowledge, knowledgeTokens, guidance };
}

/** The request for one format: rules, style, brand, voice and knowledge as system text; the concept (and any revision) after. */
export function buildPrompt(
  session: { concept: string; style: string },
  format: WriterFormat,
  context: Pick<RunContext, "knowledge" | "guidance">,
  revision: { previous: string | null; instruction: string } | null,
): ChatMessage[] {
  const spec = WRITER_FORMAT_BY_ID[format];
  const system = [
    "You are Inkwell's writer. You turn a writer's idea into content that is ready to post, in their voice.",
    spec.rules,
    WRITER_STYLE_GUIDANCE[session.style as WriterStyle],
  ];
  if (context.guidance.brand) system.push(`The writer's brand:\n${context.guidance.brand}`);
  if (context.guidance.voice)
    system.push(`The writer's voice (${context.guidance.voice.name}):\n${context.guidance.voice.prompt}`);
  const banned = context.guidance.voice?.bannedPhrases ?? [];
  if (banned.length) system.push(`Never use these phrases: ${banned.map((p) => `"${p}"`).join(", ")}.`);
  if (context.knowledge.length) {
    // Private notes, not sources: unnumbered, and the model is told not to cite them (a "[1]" in a post
    // points the reader at nothing; any that still come back are removed before storing).
    system.push(
      "What the writer has told us about themselves, their audience and their style, most relevant first. " +
        "Use what helps and never contradict it. These are private notes, not sources: never cite them and " +
        "add no reference markers.\nNotes:\n" +
        context.knowledge
          .map((k) => `- ${k.title}: ${k.content.replace(/\s+/g, " ").trim().slice(0, KNOWLEDGE_CHARS)}`)
          .join("\n"),
    );
  }
  system.push(`Reply with the ${spec.label} only: no preamble, no notes.`);
  const messages: ChatMessage[] = [
    { role: "system", content: system.join("\n\n") },
    { role: "user", content: `Write about ${session.concept}` },
  ];
  if (revision && revision.previous === null) {
    // Nothing to revise yet (the first generation failed): write it anew with the instruction.
    messages.push({ role: "user", content: `Also: ${revision.instruction}` });
  } else if (revision?.previous) {
    messages.push(
      { role: "assistant", content: revision.previous },
      {
        role: "user",
        content: `Revise it: ${revision.instruction}\nReply with the whole revised ${spec.label}, following the same rules. It is still about ${session.concept}`,
      },
    );
  }
  return messages;
}

export function errorText(error: unknown): string {
  if (error instanceof DomainError) return error.message.slice(0, 1000);
  return "The text could not be generated. Try again.";
}

function startOutput(
  deps: WriterSessionDeps,
  actor: Actor,
  run: Run,
  target: Target,
  loadContext: () => Promise<RunContext>,
): Promise<void> {
  const { session } = run;
  const engine = engineOf(deps);
  const channel = live.channelOf(session.id);
  const gen = live.startLive(engine, target.outputId, session.id, actor.userId, target.format, target.previous?.id ?? null);
  // Batched draft writes, each with its notice to other instances; the stored version is the truth anyway.
  const draft = writeBehind({
    flushMs: deps.flushMs ?? 150,
    flushDeltas: deps.flushDeltas ?? 30,
    log: deps.log,
    key: target.outputId,
    write: (batch) => {
      // With banned phrases the whole draft is rewritten scrubbed; without, the new text is appended.
      const whole = gen.mask === live.unmasked ? null : live.shownText(gen);
      const snapshot = live.snapshotOf(gen);
      return asUser(deps.db, actor.userId, async (tx) => {
        await (whole === null ? repo.appendDraft(tx, target.outputId, batch) : repo.setDraft(tx, target.outputId, whole));
        await engine.bus.notify(tx, channel, snapshot);
      });
    },
  });

  const finalEvent = (status: "ready" | "failed", version: WriterVersion | null, error: string | null): WriterStreamEvent => ({
    outputId: target.outputId,
    format: target.format,
    versionId: version?.id ?? target.previous?.id ?? null,
    status,
    content: version?.content ?? target.previous?.content ?? "",
    parts: version?.parts ?? target.previous?.parts ?? null,
    error,
  });

  const work = async ({ started, startedAt }: Launched) => {
    try {
      const outcome = await usage.runMetered(
        deps,
        actor,
        {
          operation: run.operation,
          idempotencyKey: target.meterKey,
          request: { sessionId: session.id, outputId: target.outputId, format: target.format, instruction: run.instruction },
          topic: session.title === DEFAULT_SESSION_TITLE ? session.concept.slice(0, 200) : session.title,
          provider: deps.ai.name,
        },
        async () => {
          started();
          const signal = gen.controller.signal;
          const context = await loadContext();
          const messages = buildPrompt(
            session,
            target.format,
            context,
            run.instruction ? { previous: target.previous?.content ?? null, instruction: run.instruction } : null,
          );
          const banned = context.guidance.voice?.bannedPhrases ?? [];
          // The streamed draft is cleaned as the stored text will be, so it never shows what will be removed.
          if (banned.length || context.knowledge.length) gen.mask = (text) => scrubBanned(cleanModelText(text), banned);
          const maxTokens = MAX_TOKENS[target.format];
          let inputTokens = context.knowledgeTokens;
          let outputTokens = 0;
          let model = "unknown";
          let done: { model: string; usage: { inputTokens: number; outputTokens: number } } | null = null;
          for await (const event of deps.ai.chatStream({ messages, maxTokens, temperature: 0.7 }, { signal })) {
            if (event.type === "delta" && event.text) {
              live.appendText(gen, event.text);
              draft.add(event.text);
            } else if (event.type === "done") done = event;
          }
          // Every draft write has landed before the version's transaction opens (one connection at a time).
          await draft.drain();
          inputTokens += done?.usage.inputTokens ?? estimateTokens(messages.map((m) => m.content).join("\n"));
          outputTokens += done?.usage.outputTokens ?? estimateTokens(gen.text);
          if (done?.model) model = done.model;

          const title = session.concept.split(/\s+/).slice(0, 10).join(" ");
          const finished = await finishOutput(target.format, gen.text, {
            banned,
            title,
            // Once more, told exactly what to leave out; the same metered generation (one charge).
            rewrite: async (found) => {
              const retry = await deps.ai.chat(
                {
                  messages: [
                    ...messages,
                    { role: "assistant", content: gen.text },
                    { role: "user", content: rewriteInstruction(found) },
                  ],
                  maxTokens,
                  temperature: 0.4,
                },
                { signal },
              );
              inputTokens += retry.usage.inputTokens;
              outputTokens += retry.usage.outputTokens;
              return retry.text;
            },
          });
          const { enforced } = finished;
          if (finished.scrubbed) {
            deps.log.warn(
              { outputId: target.outputId, phrases: finished.found.length },
              "scrubbed banned phrases from a writer output",
            );
          }
          // Subscribers saw the first text streaming: they see the rewritten one now.
          if (finished.rewritten || finished.scrubbed) live.replaceText(gen, enforced.content);
          if (enforced.violations.length) {
            deps.log.info(
              { outputId: target.outputId, format: target.format, violations: enforced.violations.map((v) => v.code) },
              "enforced writer format rules",
            );
          }
          return {
            result: { enforced, model },
            model,
            inputTokens,
            outputTokens,
            latencyMs: performance.now() - startedAt,
          };
        },
        // The version is saved with the charge: never one without the other.
        async (tx, { generationId, result }) => {
          const v = await repo.addVersion(tx, actor.userId, target.outputId, {
            content: result.enforced.content,
            parts: result.enforced.parts,
            source: run.operation === GENERATE ? "generated" : "iteration",
            instruction: run.instruction,
            charCount: charLength(result.enforced.content),
            generationId,
            model: result.model,
          });
          await repo.touchSession(tx, session.id);
          await engine.bus.notify(tx, channel, finalEvent("ready", v, null));
          return v;
        },
      );
      live.settle(gen, finalEvent("ready", outcome.kept, null));
    } catch (error) {
      if (!gen.started) throw error;
      const aborted = gen.controller.signal.aborted;
      if (!(error instanceof DomainError) && !aborted) {
        deps.log.error({ err: error, outputId: target.outputId }, "writer generation failed");
      }
      // Nothing is charged (runMetered released the hold); an iteration's output keeps its current version.
      const message = aborted ? "Stopped." : errorText(error);
      const final = finalEvent("failed", null, message);
      await draft.drain();
      await asUser(deps.db, actor.userId, async (tx) => {
        await repo.setOutputState(tx, target.outputId, { status: "failed", error: message, draft: "" });
        await engine.bus.notify(tx, channel, final);
      }).catch((err) => deps.log.warn({ err, outputId: target.outputId }, "could not mark a writer output failed"));
      live.settle(gen, final);
    }
  };
  return engine.launch(gen, work, deps.log);
}
