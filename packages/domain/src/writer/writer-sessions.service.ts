/**
 * Writer sessions: a concept becomes one output per chosen format, generated with NO transaction open
 * and detached from the request, as chat replies are. `create` (and `iterate`) commit the rows with the
 * outputs 'streaming', take the rate limit and a credit hold per output (so PAYMENT_REQUIRED /
 * TOO_MANY_REQUESTS come back from the call itself), and return; each output then streams from the
 * provider in this process: partial text to subscribers (writer-sessions.live.ts) and to the output's
 * `draft`, then the format rules and the banned phrases are enforced and the text is stored as a new
 * version. Reads and edits run in the caller's RLS transaction.
 */
import { asUser, type Database, type Tx } from "@inkwell/db";
import type { AiProvider, ChatMessage } from "../ai/index.ts";
import { estimateTokens } from "../ai/index.ts";
import { credits, priceOf } from "../credits/index.ts";
import {
  cleanTitle as cleanGeneratedTitle,
  defaultEngine,
  follow,
  type GenerationEngine,
  REFETCH,
  sweepStale,
  titleRequest,
  writeBehind,
} from "../generation/index.ts";
import { knowledge as knowledgeBase } from "../knowledge/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import type { Enqueue, Logger } from "../platform/queue.ts";
import { type Actor, usage } from "../usage/index.ts";
import {
  charLength,
  enforceFormat,
  partsForPublishing,
  readArticle,
  WRITER_FORMAT_BY_ID,
  WRITER_STYLE_GUIDANCE,
  type WriterFormat,
  type WriterStyle,
} from "./writer-formats.ts";
import { cleanModelText, finishOutput, rewriteInstruction } from "./writer-sessions.finish.ts";
import { findBanned, loadGuidance, readableText, scrubBanned, type WriterGuidance } from "./writer-sessions.guidance.ts";
import { titleSessionJob } from "./writer-sessions.jobs.ts";
import * as live from "./writer-sessions.live.ts";
import * as repo from "./writer-sessions.repository.ts";
import {
  DEFAULT_SESSION_TITLE,
  type IterateInput,
  type KnowledgeUsed,
  type ListProjectsInput,
  type ListSessionsInput,
  type PinProjectInput,
  type UpdateProjectInput,
  type WriterOutput,
  type WriterSessionDetail,
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

const engineOf = (deps: { engine?: GenerationEngine }) => deps.engine ?? defaultEngine;

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

export interface CreateSessionParsed {
  concept: string;
  formats: WriterFormat[];
  style: WriterStyle;
  voiceProfileId?: string | null;
  useKnowledge: boolean;
  idempotencyKey: string;
}

// ---- reads (in the caller's transaction) ----

async function sessionOrNotFound(tx: Tx, sessionId: string, options: { lock?: boolean } = {}) {
  const s = await repo.findSession(tx, sessionId, options);
  if (!s) throw notFound("Session");
  return s;
}

/** A streaming output shows the freshest text: this process's live text when it is generating here. */
function withLiveDraft(o: WriterOutput): WriterOutput {
  const gen = o.status === "streaming" ? live.getLive(defaultEngine, o.id) : undefined;
  return gen ? { ...o, draft: live.shownText(gen) } : o;
}

export async function getSession(tx: Tx, sessionId: string): Promise<WriterSessionDetail> {
  const s = await sessionOrNotFound(tx, sessionId);
  const [projectName, outputs, messages] = [
    await repo.projectNameOf(tx, sessionId),
    await repo.outputViews(tx, { sessionId }),
    await repo.listMessages(tx, sessionId),
  ];
  return {
    session: repo.toSession(s, projectName),
    outputs: outputs.map(withLiveDraft),
    messages,
    knowledgeUsed: repo.knowledgeUsedOf(s),
  };
}

export function listSessions(tx: Tx, input: ListSessionsInput) {
  return repo.listSessions(tx, input);
}

export async function renameSession(tx: Tx, sessionId: string, title: string) {
  if (!(await repo.updateSession(tx, sessionId, { title, title_source: "user" }))) throw notFound("Session");
  return getSession(tx, sessionId).then((d) => d.session);
}

export async function deleteSession(tx: Tx, sessionId: string) {
  if (!(await repo.deleteSession(tx, sessionId))) throw notFound("Session");
  // Its outputs have nowhere to go: stop generating them (a stopped generation is not charged).
  defaultEngine.abortGroup(sessionId);
}

async function outputOrNotFound(tx: Tx, outputId: string) {
  const [o] = await repo.outputViews(tx, { outputId });
  if (!o) throw notFound("Output");
  return withLiveDraft(o);
}

/** One output and its current version, with what a publishing composer needs to prefill. */
export async function getOutput(tx: Tx, outputId: string) {
  const output = await outputOrNotFound(tx, outputId);
  const row = (await repo.findOutput(tx, outputId)) as repo.OutputRow;
  const spec = WRITER_FORMAT_BY_ID[output.format];
  const current = output.current;
  return {
    output,
    current,
    sessionId: row.session_id,
    prefill: current
      ? {
          platform: spec.platform,
          parts: partsForPublishing(output.format, current.content, current.parts),
          title: output.format === "blog_article" ? readArticle(current.content).title : null,
        }
      : null,
  };
}

export async function listVersions(tx: Tx, outputId: string): Promise<WriterVersion[]> {
  await outputOrNotFound(tx, outputId);
  return repo.listVersions(tx, outputId);
}

// ---- edits and restores (in the caller's transaction; no model call) ----

async function assertIdle(tx: Tx, outputId: string) {
  const o = await repo.findOutput(tx, outputId, { lock: true });
  if (!o) throw notFound("Output");
  if (o.status === "streaming" || defaultEngine.isBusy(outputId)) {
    throw new DomainError("PRECONDITION_FAILED", "This output is still being written. Wait for it to finish.");
  }
  return o;
}

/** Refuses a text with a banned phrase: no stored version ever contains one. */
async function assertNoBannedPhrases(tx: Tx, userId: string, sessionId: string, text: string) {
  const s = await sessionOrNotFound(tx, sessionId);
  const guidance = await loadGuidance(tx, userId, s.voice_profile_id);
  const found = guidance.voice ? findBanned(text, guidance.voice.bannedPhrases) : [];
  if (found.length) {
    throw new DomainError("INVALID_INPUT", `Your voice profile bans ${found.map((p) => `"${p}"`).join(", ")}. Remove it first.`, {
      field: "content",
    });
  }
}

/**
 * `content` with `format`'s rules applied (a thread re-split and numbered), for a text the user chose:
 * it is never cut, so one that is empty, too long or has too many posts is refused with what to change.
 */
function enforceUserText(format: WriterFormat, content: string) {
  const enforced = enforceFormat(format, content);
  if (enforced.violations.some((v) => v.code === "empty")) {
    throw new DomainError("INVALID_INPUT", "The text can't be empty.", { field: "content" });
  }
  const tooMany = enforced.violations.find((v) => v.code === "too_many_posts");
  if (tooMany) throw new DomainError("INVALID_INPUT", `${tooMany.message} Shorten it.`, { field: "content" });
  if (enforced.violations.some((v) => v.code === "truncated")) {
    const spec = WRITER_FORMAT_BY_ID[format];
    throw new DomainError(
      "INVALID_INPUT",
      `A ${spec.label} can be at most ${spec.maxChars} characters; this is ${charLength(content)}.`,
      { field: "content" },
    );
  }
  return enforced;
}

/** The user's own text becomes the current version (format rules applied: a thread is re-split and numbered). */
export async function editOutput(tx: Tx, userId: string, outputId: string, content: string): Promise<WriterOutput> {
  const o = await assertIdle(tx, outputId);
  const enforced = enforceUserText(o.format as WriterFormat, content);
  await assertNoBannedPhrases(tx, userId, o.session_id, readableText(enforced));
  await repo.addVersion(tx, userId, outputId, {
    content: enforced.content,
    parts: enforced.parts,
    source: "edit",
    instruction: null,
    charCount: charLength(enforced.content),
  });
  await repo.touchSession(tx, o.session_id);
  return outputOrNotFound(tx, outputId);
}

/**
 * An earlier version's text becomes a new current version; the history is kept. The rules are applied
 * again, as to an edit: the old text was stored under the rules of its day (and a thread's numbering
 * and parts are rebuilt from its text, never trusted from the row).
 */
export async function restoreVersion(tx: Tx, userId: string, versionId: string): Promise<WriterOutput> {
  const version = await repo.findVersion(tx, versionId);
  if (!version) throw notFound("Version");
  const o = await assertIdle(tx, version.outputId);
  const enforced = enforceUserText(o.format as WriterFormat, version.content);
  await assertNoBannedPhrases(tx, userId, o.session_id, readableText(enforced));
  await repo.addVersion(tx, userId, o.id, {
    content: enforced.content,
    parts: enforced.parts,
    source: "restore",
    instruction: `Restored version ${version.number}`,
    charCount: charLength(enforced.content),
    restoredFromId: version.id,
  });
  await repo.touchSession(tx, o.session_id);
  return outputOrNotFound(tx, o.id);
}

// ---- projects ----

export async function pinProject(tx: Tx, userId: string, input: PinProjectInput) {
  await sessionOrNotFound(tx, input.sessionId);
  const p = await repo.insertProject(tx, userId, input);
  if (!p) throw new DomainError("CONFLICT", "This session is already a project.");
  return p;
}

export async function updateProject(tx: Tx, input: UpdateProjectInput) {
  const p = await repo.updateProject(tx, input.projectId, {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.tags !== undefined ? { tags: input.tags } : {}),
  });
  if (!p) throw notFound("Project");
  return p;
}

export async function unpinProject(tx: Tx, projectId: string) {
  if (!(await repo.deleteProject(tx, projectId))) throw notFound("Project");
}

export function listProjects(tx: Tx, input: ListProjectsInput) {
  return repo.listProjects(tx, input);
}

// ---- generation ----

const formatList = (formats: WriterFormat[]) => {
  const labels = formats.map((f) => WRITER_FORMAT_BY_ID[f].label);
  return labels.length > 1 ? `${labels.slice(0, -1).join(", ")} and ${labels.at(-1)}` : (labels[0] ?? "");
};

/** Checks the credits for every output before anything is written, so a short user gets a clear refusal. */
async function assertCanAfford(deps: WriterSessionDeps, actor: Actor, operation: string, count: number) {
  const price = priceOf(operation) * count;
  const balance = await asUser(deps.db, actor.userId, (tx) => credits.balance(tx, actor.userId));
  if (balance.available < price) {
    throw new DomainError(
      "INSUFFICIENT_CREDITS",
      `This needs ${price} credits and you have ${balance.available} available. Add credits or pick fewer formats.`,
      { credits: { needed: price, available: balance.available } },
    );
  }
}

export async function create(deps: WriterSessionDeps, actor: Actor, input: CreateSessionParsed): Promise<{ sessionId: string }> {
  const replay = await asUser(deps.db, actor.userId, (tx) => repo.findSessionByKey(tx, input.idempotencyKey));
  if (replay) return replayed(replay, input);
  await assertCanAfford(deps, actor, GENERATE, input.formats.length);

  const prepared = await asUser(deps.db, actor.userId, async (tx) => {
    // A voice profile that is not the caller's is NOT_FOUND before anything is written.
    if (input.voiceProfileId) await loadGuidance(tx, actor.userId, input.voiceProfileId);
    const session = await repo.insertSession(tx, actor.userId, {
      concept: input.concept,
      style: input.style,
      voiceProfileId: input.voiceProfileId ?? null,
      useKnowledge: input.useKnowledge,
      idempotencyKey: input.idempotencyKey,
    });
    // A concurrent create with the same key won the insert: answer as its replay.
    if (!session) return null;
    await repo.insertMessage(tx, {
      sessionId: session.id,
      userId: actor.userId,
      seq: 1,
      role: "user",
      content: input.concept,
      formats: input.formats,
    });
    await repo.insertMessage(tx, {
      sessionId: session.id,
      userId: actor.userId,
      seq: 2,
      role: "assistant",
      content: `Writing your ${formatList(input.formats)} in a ${input.style} style.`,
      formats: input.formats,
    });
    const outputs = await repo.insertOutputs(tx, session.id, actor.userId, input.formats);
    // The title comes from the concept alone, so it is asked for once, with the session: waiting for the
    // "first" stored output raced when several finished together (each saw two versions, none asked).
    // If nothing starts the session is deleted and the job finds nothing to name.
    await deps.enqueue(tx, titleSessionJob, { userId: actor.userId, sessionId: session.id });
    return { session, outputs };
  });
  if (!prepared) {
    const won = await asUser(deps.db, actor.userId, (tx) => repo.findSessionByKey(tx, input.idempotencyKey));
    if (!won) throw new DomainError("CONFLICT", "This request was already made; reload to see it.");
    return replayed(won, input);
  }

  const { session, outputs } = prepared;
  const refused = await startRun(deps, actor, {
    session,
    operation: GENERATE,
    instruction: null,
    targets: outputs.map((o) => ({
      outputId: o.id,
      format: o.format as WriterFormat,
      previous: null,
      meterKey: `${GENERATE}:${o.id}`,
    })),
  });
  if (refused.all) {
    // Nothing started (credits, rate limit): leave no trace; the client still has the concept.
    await asUser(deps.db, actor.userId, (tx) => repo.deleteSession(tx, session.id));
    throw refused.error;
  }
  return { sessionId: session.id };
}

function replayed(s: repo.SessionRow, input: CreateSessionParsed) {
  if (s.concept !== input.concept) throw new DomainError("CONFLICT", "This request key was already used for another concept.");
  return { sessionId: s.id };
}

export async function iterate(
  deps: WriterSessionDeps,
  actor: Actor,
  input: IterateInput,
): Promise<{ sessionId: string; messageId: string; outputIds: string[] }> {
  const replayOf = async (tx: Tx) => {
    const replay = await repo.findMessageByKey(tx, input.sessionId, input.idempotencyKey);
    if (!replay) return null;
    if (replay.content !== input.instruction) {
      throw new DomainError("CONFLICT", "This request key was already used for another instruction.");
    }
    const outputs = await repo.outputsOf(tx, input.sessionId);
    return {
      sessionId: input.sessionId,
      messageId: replay.id,
      outputIds: outputs.filter((o) => replay.formats.includes(o.format)).map((o) => o.id),
    };
  };
  const replay = await asUser(deps.db, actor.userId, async (tx) => {
    await sessionOrNotFound(tx, input.sessionId);
    return replayOf(tx);
  });
  if (replay) return replay;

  const prepared = await asUser(deps.db, actor.userId, async (tx) => {
    const session = await sessionOrNotFound(tx, input.sessionId, { lock: true });
    // A retry racing the first request (a double submit, a client retry on timeout) waited for the
    // lock above: once the first committed, this is its replay, not a refusal or a second run.
    const raced = await replayOf(tx);
    if (raced) return { kind: "replay" as const, replay: raced };
    const outputs = await repo.outputsOf(tx, input.sessionId, { lock: true });
    const formats = input.formats ?? outputs.map((o) => o.format as WriterFormat);
    const missing = formats.filter((f) => !outputs.some((o) => o.format === f));
    if (missing.length) {
      throw new DomainError("INVALID_INPUT", `This session has no ${formatList(missing)}.`, { field: "formats" });
    }
    const chosen = outputs.filter((o) => formats.includes(o.format as WriterFormat));
    if (chosen.some((o) => o.status === "streaming" || engineOf(deps).isBusy(o.id))) {
      throw new DomainError("PRECONDITION_FAILED", "An output is still being written. Wait for it to finish.");
    }
    await assertCanAffordIn(tx, actor.userId, ITERATE, chosen.length);
    const seq = await repo.nextMessageSeq(tx, session.id);
    const userMessage = await repo.insertMessage(tx, {
      sessionId: session.id,
      userId: actor.userId,
      seq,
      role: "user",
      content: input.instruction,
      formats,
      idempotencyKey: input.idempotencyKey,
    });
    const reply = await repo.insertMessage(tx, {
      sessionId: session.id,
      userId: actor.userId,
      seq: seq + 1,
      role: "assistant",
      content: `Revising your ${formatList(formats)}.`,
      formats,
    });
    const previous = await repo.outputViews(tx, { sessionId: session.id });
    for (const o of chosen) await repo.setOutputState(tx, o.id, { status: "streaming", draft: "" });
    await repo.touchSession(tx, session.id);
    return { kind: "run" as const, session, chosen, previous, messageIds: [userMessage.id, reply.id] };
  });

  if (prepared.kind === "replay") return prepared.replay;
  const { session, chosen, previous } = prepared;
  const before = new Map(previous.map((o) => [o.id, o]));
  const refused = await startRun(deps, actor, {
    session,
    operation: ITERATE,
    instruction: input.instruction,
    targets: chosen.map((o) => ({
      outputId: o.id,
      format: o.format as WriterFormat,
      previous: before.get(o.id)?.current ?? null,
      meterKey: `${ITERATE}:${prepared.messageIds[0]}:${o.id}`,
    })),
  });
  if (refused.all) {
    // Nothing started: the instruction and reply go, and every output is as it was.
    await asUser(deps.db, actor.userId, async (tx) => {
      await repo.deleteMessages(tx, prepared.messageIds);
      for (const o of chosen) {
        const was = before.get(o.id);
        await repo.setOutputState(tx, o.id, { status: was?.status ?? "ready", error: was?.error ?? null, draft: "" });
      }
    });
    throw refused.error;
  }
  return { sessionId: session.id, messageId: prepared.messageIds[0] as string, outputIds: chosen.map((o) => o.id) };
}

async function assertCanAffordIn(tx: Tx, userId: string, operation: string, count: number) {
  const price = priceOf(operation) * count;
  const balance = await credits.balance(tx, userId);
  if (balance.available < price) {
    throw new DomainError(
      "INSUFFICIENT_CREDITS",
      `This needs ${price} credits and you have ${balance.available} available. Add credits or revise fewer formats.`,
      { credits: { needed: price, available: balance.available } },
    );
  }
}

interface Target {
  outputId: string;
  format: WriterFormat;
  /** The version being revised (an iteration), or null for a first generation. */
  previous: WriterVersion | null;
  /** The credit hold's idempotency key: one metered generation per output per run. */
  meterKey: string;
}

interface Run {
  session: repo.SessionRow;
  operation: typeof GENERATE | typeof ITERATE;
  instruction: string | null;
  targets: Target[];
}

/** What every output of a run shares: knowledge, brand and voice, loaded once (after the holds are taken). */
interface RunContext {
  knowledge: { id: string; title: string; category: string; content: string }[];
  knowledgeTokens: number;
  guidance: WriterGuidance;
}

/**
 * Starts every target's generation; resolves once each has taken its rate limit and credit hold (or
 * was refused). A refused output is marked failed with the reason; `all` says nothing started.
 */
async function startRun(deps: WriterSessionDeps, actor: Actor, run: Run): Promise<{ all: boolean; error: unknown }> {
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

function errorText(error: unknown): string {
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

  const work = async (started: () => void) => {
    const startedAt = performance.now();
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

// ---- streaming ----

/** Checks the caller may read the session (NOT_FOUND otherwise), then returns its snapshot stream. */
export async function openStream(
  deps: Pick<WriterSessionDeps, "db" | "engine">,
  userId: string,
  sessionId: string,
  signal?: AbortSignal,
): Promise<AsyncGenerator<WriterStreamEvent>> {
  await asUser(deps.db, userId, (tx) => sessionOrNotFound(tx, sessionId));
  return streamSession(deps, userId, sessionId, signal);
}

const eventOf = (o: WriterOutput): WriterStreamEvent => ({
  outputId: o.id,
  format: o.format,
  versionId: o.current?.id ?? null,
  status: o.status,
  content: o.status === "streaming" ? o.draft : (o.current?.content ?? ""),
  parts: o.status === "streaming" ? null : (o.current?.parts ?? null),
  error: o.error,
});

const sameEvent = (a: WriterStreamEvent | undefined, b: WriterStreamEvent) =>
  !!a && a.status === b.status && a.content === b.content && a.versionId === b.versionId && a.error === b.error;

/**
 * A snapshot of every output, then each change until no output is streaming. Outputs generating in
 * this process come from its engine; the others from their rows, re-read on a notice from the
 * instance writing them (or polled, where no notices arrive).
 */
function streamSession(
  deps: Pick<WriterSessionDeps, "db" | "engine">,
  userId: string,
  sessionId: string,
  signal?: AbortSignal,
): AsyncGenerator<WriterStreamEvent> {
  const engine = engineOf(deps);
  const latest = new Map<string, WriterStreamEvent>();
  const streaming = () => [...latest.values()].filter((e) => e.status === "streaming");
  const take = (events: WriterStreamEvent[]) => {
    const fresh = events.filter((e) => !sameEvent(latest.get(e.outputId), e));
    for (const e of fresh) latest.set(e.outputId, e);
    return { events: fresh, done: !streaming().length };
  };
  return follow<WriterStreamEvent>({
    bus: engine.bus,
    channel: live.channelOf(sessionId),
    signal,
    read: async () => {
      const rows = await asUser(deps.db, userId, (tx) => repo.outputViews(tx, { sessionId }));
      if (!rows.length && latest.size) {
        return {
          events: streaming().map((e) => ({ ...e, status: "failed" as const, error: "This session was deleted." })),
          done: true,
        };
      }
      return take(
        rows.map((o) => {
          const gen = live.getLive(engine, o.id);
          return gen ? live.snapshotOf(gen) : eventOf(o);
        }),
      );
    },
    receive: (event) => ((event as { type?: string }).type === REFETCH.type ? "refetch" : take([event as WriterStreamEvent])),
    // Outputs generating here, or announced by notices, need no polling: a slow re-read is a safety net.
    pollMs: () => (engine.bus.listening || streaming().every((e) => engine.get(e.outputId)) ? 5000 : 400),
  });
}

// ---- background work ----

export const TITLE_PROMPT =
  "Write a short title (at most 6 words) for a piece of writing about the idea below. " +
  "Reply with the title only: no quotes, no trailing punctuation.";

export { MAX_TITLE_CHARS, truncateGraphemes } from "../generation/index.ts";

export const cleanTitle = (raw: string, fallbackFrom: string) => cleanGeneratedTitle(raw, fallbackFrom, DEFAULT_SESSION_TITLE);

/** The worker names a session after its concept (only while the user has not named it). */
export async function titleSession(deps: { db: Database; ai: AiProvider }, userId: string, sessionId: string) {
  const s = await asUser(deps.db, userId, (tx) => repo.findSession(tx, sessionId));
  if (s?.title_source !== "auto") return null;
  const result = await deps.ai.chat(titleRequest(TITLE_PROMPT, s.concept));
  const title = cleanTitle(result.text, s.concept);
  await asUser(deps.db, userId, (tx) => repo.setAutoTitle(tx, sessionId, title));
  return title;
}

/** Outputs left 'streaming' by a process that died are marked failed (their holds expire and are released). */
export function failStaleOutputs(db: Database, olderThanSeconds = 300, engine = defaultEngine) {
  return sweepStale(db, engine.bus, async (tx) =>
    (await repo.failStale(tx, olderThanSeconds)).map((sessionId) => ({ channel: live.channelOf(sessionId), event: REFETCH })),
  );
}

/** Resolves when every generation running in this process is settled (graceful shutdown, tests). */
export const settled = () => defaultEngine.allDone();
