/** The only SQL of writer sessions and projects. RLS scopes every user query to the caller; the sweep runs as system. */
import { newestFirst, type Tables, type Tx } from "@inkwell/db";
import { type Selectable, sql } from "kysely";
import type { WriterFormat, WriterStyle } from "./writer-formats.ts";
import type {
  KnowledgeUsed,
  ListProjectsInput,
  ListSessionsInput,
  OutputStatus,
  VersionSource,
  WriterMessage,
  WriterOutput,
  WriterProject,
  WriterSession,
  WriterSessionSummary,
  WriterVersion,
} from "./writer-sessions.schemas.ts";

// ---- sessions ----

/** `knowledge_used` is JSON whose shape the code asserts (`KnowledgeUsed[]`), so it is read as unknown rather than as codegen's JsonValue. */
export type SessionRow = Omit<
  Pick<
    Selectable<Tables.WriterSessions>,
    | "id"
    | "title"
    | "title_source"
    | "concept"
    | "style"
    | "voice_profile_id"
    | "use_knowledge"
    | "knowledge_used"
    | "idempotency_key"
    | "created_at"
    | "updated_at"
  >,
  "knowledge_used"
> & { knowledge_used: unknown };

const SESSION_COLUMNS = [
  "s.id",
  "s.title",
  "s.title_source",
  "s.concept",
  "s.style",
  "s.voice_profile_id",
  "s.use_knowledge",
  "s.knowledge_used",
  "s.idempotency_key",
  "s.created_at",
  "s.updated_at",
] as const;

/** `projectName` is the name of the project the session is pinned as, or null when it is not pinned. */
export const toSession = (r: SessionRow, projectName: string | null): WriterSession => ({
  id: r.id,
  title: r.title,
  projectName,
  concept: r.concept,
  style: r.style as WriterStyle,
  voiceProfileId: r.voice_profile_id,
  pinned: projectName !== null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const knowledgeUsedOf = (r: SessionRow) => (Array.isArray(r.knowledge_used) ? r.knowledge_used : []) as KnowledgeUsed[];

/** Inserts unless the key was used already (then undefined: the caller replays the first session). */
export async function insertSession(
  tx: Tx,
  userId: string,
  v: { concept: string; style: WriterStyle; voiceProfileId: string | null; useKnowledge: boolean; idempotencyKey: string },
) {
  const r = await tx
    .insertInto("writer_sessions")
    .values({
      user_id: userId,
      concept: v.concept,
      style: v.style,
      voice_profile_id: v.voiceProfileId,
      use_knowledge: v.useKnowledge,
      idempotency_key: v.idempotencyKey,
    })
    .onConflict((oc) => oc.columns(["user_id", "idempotency_key"]).doNothing())
    .returning([
      "id",
      "title",
      "title_source",
      "concept",
      "style",
      "voice_profile_id",
      "use_knowledge",
      "knowledge_used",
      "idempotency_key",
      "created_at",
      "updated_at",
    ])
    .executeTakeFirst();
  return r as SessionRow | undefined;
}

export async function findSession(tx: Tx, sessionId: string, options: { lock?: boolean } = {}) {
  let q = tx.selectFrom("writer_sessions as s").select(SESSION_COLUMNS).where("s.id", "=", sessionId);
  if (options.lock) q = q.forUpdate();
  return (await q.executeTakeFirst()) as SessionRow | undefined;
}

export async function findSessionByKey(tx: Tx, idempotencyKey: string) {
  return (await tx
    .selectFrom("writer_sessions as s")
    .select(SESSION_COLUMNS)
    .where("s.idempotency_key", "=", idempotencyKey)
    .executeTakeFirst()) as SessionRow | undefined;
}

/** The name of the project the session is pinned as, or null. */
export async function projectNameOf(tx: Tx, sessionId: string): Promise<string | null> {
  const r = await tx.selectFrom("writer_projects").select("name").where("session_id", "=", sessionId).executeTakeFirst();
  return r?.name ?? null;
}

export async function updateSession(
  tx: Tx,
  sessionId: string,
  patch: { title?: string; title_source?: "auto" | "user"; knowledge_used?: KnowledgeUsed[] },
) {
  const r = await tx
    .updateTable("writer_sessions")
    .set({
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.title_source !== undefined ? { title_source: patch.title_source } : {}),
      ...(patch.knowledge_used !== undefined ? { knowledge_used: JSON.stringify(patch.knowledge_used) } : {}),
    })
    .where("id", "=", sessionId)
    .returning("id")
    .executeTakeFirst();
  return !!r;
}

/** Moves a session up its owner's "recently worked on" (the trigger sets updated_at). */
export async function touchSession(tx: Tx, sessionId: string) {
  await tx.updateTable("writer_sessions").set({ updated_at: sql`now()` }).where("id", "=", sessionId).execute();
}

/** The title the worker wrote, unless the user named the session meanwhile. */
export async function setAutoTitle(tx: Tx, sessionId: string, title: string) {
  await tx.updateTable("writer_sessions").set({ title }).where("id", "=", sessionId).where("title_source", "=", "auto").execute();
}

export async function deleteSession(tx: Tx, sessionId: string) {
  const r = await tx.deleteFrom("writer_sessions").where("id", "=", sessionId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/**
 * Every word must match (the last one as a prefix, so a search box can search as the user types).
 * Words are reduced to letters and digits, so the query text never reaches to_tsquery's syntax.
 */
export function prefixQuery(query: string): string | null {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (!words.length) return null;
  return words.map((w, i) => (i === words.length - 1 ? `${w}:*` : w)).join(" & ");
}

const recentSessions = newestFirst("s.created_at", "s.id");

export async function listSessions(tx: Tx, input: ListSessionsInput): Promise<WriterSessionSummary[]> {
  let q = tx
    .selectFrom("writer_sessions as s")
    .leftJoin("writer_projects as p", "p.session_id", "s.id")
    .select(SESSION_COLUMNS)
    .select(["p.id as project_id", "p.name as project_name"])
    .select((eb) =>
      eb
        .selectFrom("writer_outputs as o")
        .select(sql<string[]>`coalesce(array_agg(o.format ORDER BY o.position), '{}')`.as("f"))
        .whereRef("o.session_id", "=", "s.id")
        .as("formats"),
    )
    .orderBy(recentSessions.order, "desc")
    .orderBy("s.id", "desc")
    .limit(input.limit);
  if (input.cursor) q = q.where(recentSessions.before({ at: input.cursor.createdAt, id: input.cursor.id }));
  const tsquery = input.query ? prefixQuery(input.query) : null;
  if (input.query && !tsquery) return [];
  if (tsquery) q = q.where(sql<boolean>`s.search_tsv @@ to_tsquery('english', ${tsquery})`);
  const rows = await q.execute();
  return rows.map((r) => ({
    ...toSession(r as SessionRow, r.project_id !== null ? (r.project_name ?? "") : null),
    formats: (r.formats ?? []) as WriterFormat[],
    projectId: r.project_id,
  }));
}

/** Whether the caller has any embedded knowledge entry (no retrieval, and no embedding call, otherwise). */
export async function hasReadyKnowledge(tx: Tx) {
  return !!(await tx
    .selectFrom("knowledge_entries")
    .select("id")
    .where("embedding_status", "=", "ready")
    .limit(1)
    .executeTakeFirst());
}

// ---- messages ----

export async function nextMessageSeq(tx: Tx, sessionId: string) {
  const r = await tx
    .selectFrom("writer_messages")
    .select(sql<number>`coalesce(max(seq), 0) + 1`.as("next"))
    .where("session_id", "=", sessionId)
    .executeTakeFirstOrThrow();
  return Number(r.next);
}

export async function insertMessage(
  tx: Tx,
  v: {
    sessionId: string;
    userId: string;
    seq: number;
    role: "user" | "assistant";
    content: string;
    formats: WriterFormat[];
    idempotencyKey?: string;
  },
): Promise<WriterMessage> {
  const r = await tx
    .insertInto("writer_messages")
    .values({
      session_id: v.sessionId,
      user_id: v.userId,
      seq: v.seq,
      role: v.role,
      content: v.content,
      formats: v.formats,
      idempotency_key: v.idempotencyKey ?? null,
    })
    .returning(["id", "role", "content", "created_at"])
    .executeTakeFirstOrThrow();
  return { id: r.id, role: r.role as WriterMessage["role"], content: r.content, createdAt: r.created_at };
}

export async function findMessageByKey(tx: Tx, sessionId: string, idempotencyKey: string) {
  return tx
    .selectFrom("writer_messages")
    .select(["id", "content", "formats", "seq"])
    .where("session_id", "=", sessionId)
    .where("idempotency_key", "=", idempotencyKey)
    .executeTakeFirst();
}

export async function deleteMessages(tx: Tx, ids: string[]) {
  if (ids.length) await tx.deleteFrom("writer_messages").where("id", "in", ids).execute();
}

export async function listMessages(tx: Tx, sessionId: string): Promise<WriterMessage[]> {
  const rows = await tx
    .selectFrom("writer_messages")
    .select(["id", "role", "content", "created_at"])
    .where("session_id", "=", sessionId)
    .orderBy("seq")
    .execute();
  return rows.map((r) => ({ id: r.id, role: r.role as WriterMessage["role"], content: r.content, createdAt: r.created_at }));
}

// ---- outputs and versions ----

const VERSION_COLUMNS = [
  "v.id",
  "v.output_id",
  "v.number",
  "v.content",
  "v.parts",
  "v.source",
  "v.instruction",
  "v.char_count",
  "v.created_at",
] as const;

type VersionRow = Pick<
  Selectable<Tables.WriterOutputVersions>,
  "id" | "output_id" | "number" | "content" | "parts" | "source" | "instruction" | "char_count" | "created_at"
>;

export const toVersion = (r: VersionRow): WriterVersion => ({
  id: r.id,
  outputId: r.output_id,
  number: r.number,
  content: r.content,
  parts: r.parts,
  source: r.source as VersionSource,
  instruction: r.instruction,
  charCount: r.char_count,
  createdAt: r.created_at,
});

export type OutputRow = Pick<
  Selectable<Tables.WriterOutputs>,
  "id" | "session_id" | "format" | "position" | "status" | "error" | "draft" | "current_version_id"
>;

export async function insertOutputs(tx: Tx, sessionId: string, userId: string, formats: WriterFormat[]) {
  const rows = await tx
    .insertInto("writer_outputs")
    .values(formats.map((format, position) => ({ session_id: sessionId, user_id: userId, format, position })))
    .returning(["id", "session_id", "format", "position", "status", "error", "draft", "current_version_id"])
    .execute();
  return rows as OutputRow[];
}

export async function findOutput(tx: Tx, outputId: string, options: { lock?: boolean } = {}) {
  let q = tx
    .selectFrom("writer_outputs")
    .select(["id", "session_id", "format", "position", "status", "error", "draft", "current_version_id"])
    .where("id", "=", outputId);
  if (options.lock) q = q.forUpdate();
  return (await q.executeTakeFirst()) as OutputRow | undefined;
}

export async function outputsOf(tx: Tx, sessionId: string, options: { lock?: boolean } = {}) {
  let q = tx
    .selectFrom("writer_outputs")
    .select(["id", "session_id", "format", "position", "status", "error", "draft", "current_version_id"])
    .where("session_id", "=", sessionId)
    .orderBy("position");
  if (options.lock) q = q.forUpdate();
  return (await q.execute()) as OutputRow[];
}

/** The session's outputs with their current versions and version counts, in the order the formats were picked. */
export async function outputViews(tx: Tx, where: { sessionId: string } | { outputId: string }): Promise<WriterOutput[]> {
  let q = tx
    .selectFrom("writer_outputs as o")
    .leftJoin("writer_output_versions as v", "v.id", "o.current_version_id")
    .select(["o.id as o_id", "o.format", "o.status", "o.error", "o.draft"])
    .select(VERSION_COLUMNS)
    .select((eb) =>
      eb
        .selectFrom("writer_output_versions as c")
        .select(sql<number>`count(*)::int`.as("n"))
        .whereRef("c.output_id", "=", "o.id")
        .as("version_count"),
    )
    .orderBy("o.position");
  q = "sessionId" in where ? q.where("o.session_id", "=", where.sessionId) : q.where("o.id", "=", where.outputId);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.o_id,
    format: r.format as WriterFormat,
    status: r.status as OutputStatus,
    error: r.error,
    current: r.id ? toVersion(r as VersionRow) : null,
    versionCount: Number(r.version_count ?? 0),
    draft: r.status === "streaming" ? r.draft : "",
  }));
}

export async function setOutputState(
  tx: Tx,
  outputId: string,
  patch: { status: OutputStatus; error?: string | null; draft?: string },
) {
  const r = await tx
    .updateTable("writer_outputs")
    .set({
      status: patch.status,
      error: patch.error === undefined ? null : (patch.error?.slice(0, 1000) ?? null),
      ...(patch.draft !== undefined ? { draft: patch.draft } : {}),
    })
    .where("id", "=", outputId)
    .returning("id")
    .executeTakeFirst();
  return !!r;
}

/** Appends streamed text to the draft (only while streaming, so a late batch never lands after the version). */
export async function appendDraft(tx: Tx, outputId: string, text: string) {
  await tx
    .updateTable("writer_outputs")
    .set((eb) => ({ draft: eb("draft", "||", text) }))
    .where("id", "=", outputId)
    .where("status", "=", "streaming")
    .execute();
}

/** Replaces the draft (a scrubbed draft is rewritten whole: a removal can reach back before the last batch). */
export async function setDraft(tx: Tx, outputId: string, text: string) {
  await tx
    .updateTable("writer_outputs")
    .set({ draft: text })
    .where("id", "=", outputId)
    .where("status", "=", "streaming")
    .execute();
}

/** Stores the next version (numbered after the output's highest) and makes it current. */
export async function addVersion(
  tx: Tx,
  userId: string,
  outputId: string,
  v: {
    content: string;
    parts: string[] | null;
    source: VersionSource;
    instruction: string | null;
    charCount: number;
    generationId?: string | null;
    model?: string | null;
    restoredFromId?: string | null;
  },
): Promise<WriterVersion> {
  // The output row is locked first, so two writers never compute the same number.
  await tx.selectFrom("writer_outputs").select("id").where("id", "=", outputId).forUpdate().executeTakeFirst();
  const next = await tx
    .selectFrom("writer_output_versions")
    .select(sql<number>`coalesce(max(number), 0) + 1`.as("n"))
    .where("output_id", "=", outputId)
    .executeTakeFirstOrThrow();
  const r = await tx
    .insertInto("writer_output_versions")
    .values({
      output_id: outputId,
      user_id: userId,
      number: Number(next.n),
      content: v.content,
      parts: v.parts,
      source: v.source,
      instruction: v.instruction,
      char_count: v.charCount,
      generation_id: v.generationId ?? null,
      model: v.model ?? null,
      restored_from_id: v.restoredFromId ?? null,
    })
    .returning(["id", "output_id", "number", "content", "parts", "source", "instruction", "char_count", "created_at"])
    .executeTakeFirstOrThrow();
  await tx
    .updateTable("writer_outputs")
    .set({ current_version_id: r.id, status: "ready", error: null, draft: "" })
    .where("id", "=", outputId)
    .execute();
  return toVersion(r as VersionRow);
}

export async function listVersions(tx: Tx, outputId: string): Promise<WriterVersion[]> {
  const rows = await tx
    .selectFrom("writer_output_versions as v")
    .select(VERSION_COLUMNS)
    .where("v.output_id", "=", outputId)
    .orderBy("v.number", "desc")
    .execute();
  return rows.map((r) => toVersion(r as VersionRow));
}

export async function findVersion(tx: Tx, versionId: string) {
  const r = await tx
    .selectFrom("writer_output_versions as v")
    .select(VERSION_COLUMNS)
    .where("v.id", "=", versionId)
    .executeTakeFirst();
  return r ? toVersion(r as VersionRow) : undefined;
}

/** Generations left streaming by a process that died (no draft write for `olderThanSeconds`) become failed. */
/** Fails the outputs left streaming; returns the session of each (repeated per output), to tell their streams. */
export async function failStale(tx: Tx, olderThanSeconds: number): Promise<string[]> {
  const r = await sql<{ session_id: string }>`
    UPDATE writer_outputs
       SET status = 'failed', error = 'The generation was interrupted. Try again.', draft = ''
     WHERE status = 'streaming' AND updated_at < now() - make_interval(secs => ${olderThanSeconds})
    RETURNING session_id`.execute(tx);
  return r.rows.map((row) => row.session_id);
}

// ---- projects ----

/** What `projectQuery` selects: the project's columns, its session's title and concept, and the formats (a subquery, so nullable). */
type ProjectRow = Awaited<ReturnType<ReturnType<typeof projectQuery>["executeTakeFirstOrThrow"]>>;

const toProject = (r: ProjectRow): WriterProject => ({
  id: r.id,
  sessionId: r.session_id,
  name: r.name,
  description: r.description,
  tags: r.tags,
  session: { title: r.title, concept: r.concept, formats: (r.formats ?? []) as WriterFormat[] },
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

function projectQuery(tx: Tx) {
  return tx
    .selectFrom("writer_projects as p")
    .innerJoin("writer_sessions as s", "s.id", "p.session_id")
    .select(["p.id", "p.session_id", "p.name", "p.description", "p.tags", "p.created_at", "p.updated_at", "s.title", "s.concept"])
    .select((eb) =>
      eb
        .selectFrom("writer_outputs as o")
        .select(sql<string[]>`coalesce(array_agg(o.format ORDER BY o.position), '{}')`.as("f"))
        .whereRef("o.session_id", "=", "s.id")
        .as("formats"),
    );
}

/** Pins the session as a project; undefined when it already is one. */
export async function insertProject(
  tx: Tx,
  userId: string,
  v: { sessionId: string; name: string; description: string; tags: string[] },
) {
  const r = await tx
    .insertInto("writer_projects")
    .values({ user_id: userId, session_id: v.sessionId, name: v.name, description: v.description, tags: v.tags })
    .onConflict((oc) => oc.column("session_id").doNothing())
    .returning("id")
    .executeTakeFirst();
  return r ? findProject(tx, r.id) : undefined;
}

export async function findProject(tx: Tx, projectId: string) {
  const r = await projectQuery(tx).where("p.id", "=", projectId).executeTakeFirst();
  return r ? toProject(r as ProjectRow) : undefined;
}

export async function updateProject(tx: Tx, projectId: string, patch: { name?: string; description?: string; tags?: string[] }) {
  const r = await tx.updateTable("writer_projects").set(patch).where("id", "=", projectId).returning("id").executeTakeFirst();
  return r ? findProject(tx, r.id) : undefined;
}

export async function deleteProject(tx: Tx, projectId: string) {
  const r = await tx.deleteFrom("writer_projects").where("id", "=", projectId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

const recentProjects = newestFirst("p.created_at", "p.id");

export async function listProjects(tx: Tx, input: ListProjectsInput): Promise<WriterProject[]> {
  let q = projectQuery(tx).orderBy(recentProjects.order, "desc").orderBy("p.id", "desc").limit(input.limit);
  if (input.tag) q = q.where(sql<boolean>`p.tags @> ARRAY[${input.tag}]::text[]`);
  if (input.cursor) q = q.where(recentProjects.before({ at: input.cursor.createdAt, id: input.cursor.id }));
  return (await q.execute()).map((r) => toProject(r as ProjectRow));
}
