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
import type { AiProvider } from "../ai/index.ts";
import { credits } from "../credits/index.ts";
import {
  cleanTitle as cleanGeneratedTitle,
  defaultEngine,
  follow,
  generateTitle,
  REFETCH,
  sweepStale,
} from "../generation/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import { type Actor, usage } from "../usage/index.ts";
import {
  charLength,
  enforceFormat,
  partsForPublishing,
  readArticle,
  WRITER_FORMAT_BY_ID,
  type WriterFormat,
  type WriterStyle,
} from "./writer-formats.ts";
import { engineOf, GENERATE, ITERATE, startRun, type WriterSessionDeps } from "./writer-sessions.generate.ts";
import { findBanned, loadGuidance, readableText } from "./writer-sessions.guidance.ts";
import { titleSessionJob } from "./writer-sessions.jobs.ts";
import * as live from "./writer-sessions.live.ts";
import * as repo from "./writer-sessions.repository.ts";
import {
  DEFAULT_SESSION_TITLE,
  type IterateInput,
  type ListProjectsInput,
  type ListSessionsInput,
  type PinProjectInput,
  type UpdateProjectInput,
  type WriterOutput,
  type WriterSessionDetail,
  type WriterStreamEvent,
  type WriterVersion,
} from "./writer-sessions.schemas.ts";

export {
  buildPrompt,
  GENERATE,
  ITERATE,
  KNOWLEDGE_ENTRIES,
  MAX_TOKENS,
  type WriterSessionDeps,
} from "./writer-sessions.generate.ts";

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

/**
 * Checks the balance covers `price` before anything is written, so a short user gets a clear refusal.
 * The price is the caller's (usage.priceFor, read before any transaction): 0 on their own key, which
 * passes with any balance.
 */
async function assertCanAfford(tx: Tx, userId: string, price: number, fewer: string) {
  if (price === 0) return;
  const balance = await credits.balance(tx, userId);
  if (balance.available < price) {
    throw new DomainError(
      "INSUFFICIENT_CREDITS",
      `This needs ${price} credits and you have ${balance.available} available. Add credits or ${fewer}.`,
      { credits: { needed: price, available: balance.available } },
    );
  }
}

export async function create(deps: WriterSessionDeps, actor: Actor, input: CreateSessionParsed): Promise<{ sessionId: string }> {
  const replay = await asUser(deps.db, actor.userId, (tx) => repo.findSessionByKey(tx, input.idempotencyKey));
  if (replay) return replayed(replay, input);
  const price = await usage.priceFor(deps, actor.userId, GENERATE, input.formats.length);
  await asUser(deps.db, actor.userId, (tx) => assertCanAfford(tx, actor.userId, price, "pick fewer formats"));

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

  // Before the transaction: the caller's price reads their saved keys in one of its own.
  const unitPrice = await usage.priceFor(deps, actor.userId, ITERATE);
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
    await assertCanAfford(tx, actor.userId, unitPrice * chosen.length, "revise fewer formats");
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
  const title = await generateTitle(deps.ai, TITLE_PROMPT, s.concept, DEFAULT_SESSION_TITLE);
  await asUser(deps.db, userId, (tx) => repo.setAutoTitle(tx, sessionId, title));
  return title;
}

/** Outputs left 'streaming' by a process that died are marked failed (their holds expire and are released). */
export function failStaleOutputs(db: Database, olderThanSeconds = 300, engine = defaultEngine) {
  // One notice per session, however many of its outputs were failed.
  return sweepStale(db, engine.bus, async (tx) => [...new Set(await repo.failStale(tx, olderThanSeconds))].map(live.channelOf));
}

/** Resolves when every generation running in this process is settled (graceful shutdown, tests). */
export const settled = () => defaultEngine.allDone();
