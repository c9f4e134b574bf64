/** The only SQL of the chat module: conversations and their messages. RLS scopes every query to the caller. */
import { newestFirst, type Tables, type Tx, toVector } from "@inkwell/db";
import { type Selectable, sql } from "kysely";
import type {
  AddDocumentInput,
  Assistant,
  ChatMessageView,
  Conversation,
  ConversationSummary,
  ListConversationsInput,
  MessageMetadata,
  MessageRole,
  MessageStatus,
  ToolCallView,
  WorkspaceDocument,
} from "./chat.schemas.ts";
import { cutToGraphemes } from "./chat.text.ts";

type ConversationRow = Omit<
  Tables.Conversations,
  "id" | "created_at" | "updated_at" | "last_message_at" | "title" | "title_source" | "draft"
> & {
  id: string;
  title: string;
  title_source: string;
  draft: string;
  last_message_at: Date;
  created_at: Date;
  updated_at: Date;
};

const toConversation = (r: ConversationRow): Conversation => ({
  id: r.id,
  assistant: r.assistant as Assistant,
  title: r.title,
  titleSource: r.title_source as "auto" | "user",
  draft: r.draft,
  lastMessageAt: r.last_message_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const MESSAGE_COLUMNS = [
  "id",
  "conversation_id",
  "seq",
  "role",
  "content",
  "status",
  "metadata",
  "feedback",
  "safety",
  "error",
  "tool_calls",
  "tool_call_id",
  "tool_name",
  "created_at",
  "updated_at",
] as const;

/** `tool_calls` is JSON whose shape the code asserts (`ToolCallView[]`), so it is read as unknown rather than as codegen's JsonValue. */
export type MessageRow = Omit<Pick<Selectable<Tables.Messages>, (typeof MESSAGE_COLUMNS)[number]>, "tool_calls"> & {
  tool_calls: unknown;
};

export const toMessage = (r: MessageRow): ChatMessageView => ({
  id: r.id,
  conversationId: r.conversation_id,
  seq: r.seq,
  role: r.role as MessageRole,
  content: r.content,
  status: r.status as MessageStatus,
  metadata: (r.metadata ?? {}) as MessageMetadata,
  feedback: r.feedback === 1 || r.feedback === -1 ? r.feedback : null,
  safety: r.safety,
  error: r.error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  // Only on tool-related messages, so every other message keeps its exact shape.
  ...(Array.isArray(r.tool_calls) && r.tool_calls.length ? { toolCalls: r.tool_calls as ToolCallView[] } : {}),
  ...(r.tool_call_id ? { toolCallId: r.tool_call_id } : {}),
  ...(r.tool_name ? { toolName: r.tool_name } : {}),
});

export async function insertConversation(tx: Tx, userId: string, assistant: Assistant, title?: string) {
  const row = await tx
    .insertInto("conversations")
    .values({ user_id: userId, assistant, ...(title ? { title, title_source: "user" } : {}) })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toConversation(row as ConversationRow);
}

export async function findConversation(tx: Tx, id: string, options: { lock?: boolean } = {}) {
  let q = tx.selectFrom("conversations").selectAll().where("id", "=", id);
  // Serialises writers of one conversation, so `seq` is handed out without gaps or clashes.
  if (options.lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toConversation(row as ConversationRow) : null;
}

export async function updateConversation(
  tx: Tx,
  id: string,
  values: { title?: string; title_source?: "auto" | "user"; draft?: string },
) {
  const row = await tx.updateTable("conversations").set(values).where("id", "=", id).returningAll().executeTakeFirst();
  return row ? toConversation(row as ConversationRow) : null;
}

/** Sets an automatic title unless the user has named the conversation meanwhile. */
export async function setAutoTitle(tx: Tx, id: string, title: string) {
  await tx.updateTable("conversations").set({ title }).where("id", "=", id).where("title_source", "=", "auto").execute();
}

export async function deleteConversation(tx: Tx, id: string) {
  const r = await tx.deleteFrom("conversations").where("id", "=", id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

const recent = newestFirst("c.last_message_at", "c.id");

/** A conversation's preview in the list: the start of its latest message. */
const PREVIEW_CHARS = 160;

export async function listConversations(tx: Tx, input: ListConversationsInput): Promise<ConversationSummary[]> {
  let q = tx
    .selectFrom("conversations as c")
    .selectAll("c")
    .select((eb) =>
      eb
        .selectFrom("messages as m")
        // More than the preview needs, cut in JS at a character boundary (left() counts code points, so it can split an emoji).
        .select(sql<string>`left(m.content, 200)`.as("p"))
        .whereRef("m.conversation_id", "=", "c.id")
        .where("m.role", "in", ["user", "assistant"])
        // A reply that has not produced text yet would preview as blank: show the question instead.
        .where("m.content", "<>", "")
        .orderBy("m.seq", "desc")
        .limit(1)
        .as("preview"),
    )
    .orderBy(recent.order, "desc")
    .orderBy("c.id", "desc")
    .limit(input.limit);
  if (input.assistant) q = q.where("c.assistant", "=", input.assistant);
  if (input.cursor) {
    q = q.where(recent.before({ at: input.cursor.lastMessageAt, id: input.cursor.id }));
  }
  if (input.search) {
    const pattern = `%${input.search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    q = q.where((eb) =>
      eb.or([
        eb("c.title", "ilike", pattern),
        eb.exists(
          eb
            .selectFrom("messages as s")
            .select(sql`1`.as("one"))
            .whereRef("s.conversation_id", "=", "c.id")
            .where("s.content", "ilike", pattern),
        ),
      ]),
    );
  }
  const rows = await q.execute();
  return rows.map((r) => ({
    ...toConversation(r as unknown as ConversationRow),
    preview: typeof r.preview === "string" ? cutToGraphemes(r.preview, PREVIEW_CHARS) : null,
  }));
}

export async function listMessages(tx: Tx, conversationId: string) {
  const rows = await tx
    .selectFrom("messages")
    .select(MESSAGE_COLUMNS)
    .where("conversation_id", "=", conversationId)
    .orderBy("seq", "asc")
    .execute();
  return rows.map((r) => toMessage(r as MessageRow));
}

export async function findMessage(tx: Tx, id: string) {
  const row = await tx.selectFrom("messages").select(MESSAGE_COLUMNS).where("id", "=", id).executeTakeFirst();
  return row ? toMessage(row as MessageRow) : null;
}

export async function findByIdempotencyKey(tx: Tx, conversationId: string, key: string) {
  const row = await tx
    .selectFrom("messages")
    .select(MESSAGE_COLUMNS)
    .where("conversation_id", "=", conversationId)
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
  return row ? toMessage(row as MessageRow) : null;
}

/** The reply to the user message at `seq`: the next assistant message that is not a tool-calling step. */
export async function findNext(tx: Tx, conversationId: string, seq: number) {
  const row = await tx
    .selectFrom("messages")
    .select(MESSAGE_COLUMNS)
    .where("conversation_id", "=", conversationId)
    .where("seq", ">", seq)
    .where("role", "=", "assistant")
    .where("tool_calls", "is", null)
    .orderBy("seq", "asc")
    .limit(1)
    .executeTakeFirst();
  return row ? toMessage(row as MessageRow) : null;
}

export async function nextSeq(tx: Tx, conversationId: string): Promise<number> {
  const r = await tx
    .selectFrom("messages")
    .select(sql<number>`coalesce(max(seq), 0)::int + 1`.as("next"))
    .where("conversation_id", "=", conversationId)
    .executeTakeFirstOrThrow();
  return r.next;
}

/**
 * A user's message and the assistant's turn after it (a placeholder to stream into, or the fixed crisis
 * reply), in one statement: both seqs come from one max(seq) read under the conversation's lock (the
 * caller holds it), so the turn costs one round trip instead of four (two seq reads, two inserts).
 */
export async function insertTurn(
  tx: Tx,
  values: {
    conversationId: string;
    userId: string;
    user: { content: string; safety: boolean; idempotencyKey: string };
    reply: { content: string; status: MessageStatus; safety: boolean; metadata: MessageMetadata };
  },
) {
  const next = (offset: number) =>
    sql<number>`(SELECT coalesce(max(m.seq), 0)::int + ${offset}::int FROM messages m WHERE m.conversation_id = ${values.conversationId})`;
  const rows = await tx
    .insertInto("messages")
    .values([
      {
        conversation_id: values.conversationId,
        user_id: values.userId,
        seq: next(1),
        role: "user",
        content: values.user.content,
        status: "complete",
        safety: values.user.safety,
        idempotency_key: values.user.idempotencyKey,
        metadata: JSON.stringify({}),
      },
      {
        conversation_id: values.conversationId,
        user_id: values.userId,
        seq: next(2),
        role: "assistant",
        content: values.reply.content,
        status: values.reply.status,
        safety: values.reply.safety,
        idempotency_key: null,
        metadata: JSON.stringify(values.reply.metadata),
      },
    ])
    .returning(MESSAGE_COLUMNS)
    .execute();
  const [userMessage, assistantMessage] = rows.map((r) => toMessage(r as MessageRow)).sort((a, b) => a.seq - b.seq);
  if (!userMessage || !assistantMessage) throw new Error("insertTurn: expected two rows");
  return { userMessage, assistantMessage };
}

export async function insertMessage(
  tx: Tx,
  values: {
    conversationId: string;
    userId: string;
    seq: number;
    role: MessageRole;
    content: string;
    status: MessageStatus;
    safety?: boolean;
    idempotencyKey?: string | null;
    metadata?: MessageMetadata;
    /** Re-inserting a row under its own id (moving a reply placeholder after its tool steps). */
    id?: string;
    createdAt?: Date;
    toolCalls?: ToolCallView[];
    toolCallId?: string;
    toolName?: string;
  },
) {
  const row = await tx
    .insertInto("messages")
    .values({
      ...(values.id ? { id: values.id } : {}),
      ...(values.createdAt ? { created_at: values.createdAt } : {}),
      ...(values.toolCalls ? { tool_calls: JSON.stringify(values.toolCalls) } : {}),
      ...(values.toolCallId ? { tool_call_id: values.toolCallId } : {}),
      ...(values.toolName ? { tool_name: values.toolName } : {}),
      conversation_id: values.conversationId,
      user_id: values.userId,
      seq: values.seq,
      role: values.role,
      content: values.content,
      status: values.status,
      safety: values.safety ?? false,
      idempotency_key: values.idempotencyKey ?? null,
      metadata: JSON.stringify(values.metadata ?? {}),
    })
    .returning(MESSAGE_COLUMNS)
    .executeTakeFirstOrThrow();
  return toMessage(row as MessageRow);
}

export async function deleteMessagesFrom(tx: Tx, conversationId: string, fromSeq: number) {
  await tx.deleteFrom("messages").where("conversation_id", "=", conversationId).where("seq", ">=", fromSeq).execute();
}

export async function deleteMessages(tx: Tx, ids: string[]) {
  if (ids.length) await tx.deleteFrom("messages").where("id", "in", ids).execute();
}

export async function setUserContent(tx: Tx, id: string, content: string, safety: boolean) {
  await tx.updateTable("messages").set({ content, safety }).where("id", "=", id).execute();
}

/** Appends streamed text, only while the reply is still streaming (a stopped reply stays as it was). */
/** Appends to a streaming reply; false when it is no longer streaming (stopped elsewhere, or deleted). */
export async function appendContent(tx: Tx, id: string, text: string): Promise<boolean> {
  const r = await tx
    .updateTable("messages")
    .set({ content: sql`content || ${text}` })
    .where("id", "=", id)
    .where("status", "=", "streaming")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Settles a streaming reply: its full text (authoritative, from the generator), status and metadata. */
export async function finishMessage(
  tx: Tx,
  id: string,
  values: { content: string; status: Exclude<MessageStatus, "streaming">; metadata: MessageMetadata; error: string | null },
) {
  const row = await tx
    .updateTable("messages")
    .set({ content: values.content, status: values.status, metadata: JSON.stringify(values.metadata), error: values.error })
    .where("id", "=", id)
    .where("status", "=", "streaming")
    .returning(MESSAGE_COLUMNS)
    .executeTakeFirst();
  return row ? toMessage(row as MessageRow) : null;
}

export async function setFeedback(tx: Tx, id: string, feedback: -1 | 1 | null) {
  const row = await tx
    .updateTable("messages")
    .set({ feedback })
    .where("id", "=", id)
    .returning(MESSAGE_COLUMNS)
    .executeTakeFirst();
  return row ? toMessage(row as MessageRow) : null;
}

/**
 * Replies left streaming by a process that died (no append for `olderThanSeconds`) are failed; returns
 * their ids, to tell their streams. Run as the system role.
 */
export async function failStale(tx: Tx, olderThanSeconds: number): Promise<string[]> {
  const rows = await tx
    .updateTable("messages")
    .set({ status: "failed", error: "The reply was interrupted. Try again." })
    .where("status", "=", "streaming")
    .where("updated_at", "<", sql<Date>`now() - make_interval(secs => ${olderThanSeconds})`)
    .returning("id")
    .execute();
  return rows.map((r) => r.id);
}

// ---- workspace documents ----

const toDocument = (r: {
  id: string;
  conversation_id: string | null;
  title: string;
  kind: string;
  chunks: number;
  characters: number;
  created_at: Date;
}): WorkspaceDocument => ({
  id: r.id,
  conversationId: r.conversation_id,
  title: r.title,
  kind: r.kind as WorkspaceDocument["kind"],
  chunks: Number(r.chunks),
  characters: Number(r.characters),
  createdAt: r.created_at,
});

export async function insertDocument(
  tx: Tx,
  userId: string,
  input: Pick<AddDocumentInput, "title" | "kind" | "conversationId"> & { content: string },
  chunks: { content: string; embedding: number[] }[],
): Promise<WorkspaceDocument> {
  const d = await tx
    .insertInto("workspace_documents")
    .values({
      user_id: userId,
      conversation_id: input.conversationId ?? null,
      title: input.title,
      kind: input.kind,
      content: input.content,
    })
    .returning(["id", "conversation_id", "title", "kind", "created_at"])
    .executeTakeFirstOrThrow();
  if (chunks.length) {
    await tx
      .insertInto("document_chunks")
      .values(
        chunks.map((c, ordinal) => ({
          document_id: d.id,
          user_id: userId,
          ordinal,
          content: c.content,
          embedding: toVector(c.embedding),
        })),
      )
      .execute();
  }
  return toDocument({ ...d, chunks: chunks.length, characters: input.content.length });
}

export async function listDocuments(tx: Tx, conversationId?: string): Promise<WorkspaceDocument[]> {
  let q = tx
    .selectFrom("workspace_documents as d")
    .select(["d.id", "d.conversation_id", "d.title", "d.kind", "d.created_at"])
    .select((eb) => [
      eb
        .selectFrom("document_chunks as k")
        .select(sql<number>`count(*)::int`.as("n"))
        .whereRef("k.document_id", "=", "d.id")
        .as("chunks"),
      sql<number>`length(d.content)`.as("characters"),
    ])
    .orderBy("d.created_at", "desc")
    .orderBy("d.id", "desc")
    .limit(200);
  if (conversationId)
    q = q.where((eb) => eb.or([eb("d.conversation_id", "=", conversationId), eb("d.conversation_id", "is", null)]));
  const rows = await q.execute();
  return rows.map((r) => toDocument({ ...r, chunks: r.chunks ?? 0 }));
}

export async function deleteDocument(tx: Tx, id: string) {
  const r = await tx.deleteFrom("workspace_documents").where("id", "=", id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/**
 * The caller's passages nearest to `embedding` (cosine distance), from documents attached to this
 * conversation or to none (general notes).
 */
export async function nearestChunks(tx: Tx, conversationId: string, embedding: number[], limit: number) {
  const r = await sql<{ content: string; title: string; distance: number }>`
    SELECT k.content, d.title, k.embedding <=> ${toVector(embedding)} AS distance
      FROM document_chunks k JOIN workspace_documents d ON d.id = k.document_id
     WHERE d.conversation_id = ${conversationId} OR d.conversation_id IS NULL
     ORDER BY distance
     LIMIT ${limit}`.execute(tx);
  return r.rows;
}

/** The caller's chunks of the given documents, in document order then reading order (RLS: only theirs). */
export async function chunksOfDocuments(tx: Tx, documentIds: string[], perDocument: number) {
  if (!documentIds.length) return [];
  return tx
    .selectFrom("document_chunks as k")
    .innerJoin("workspace_documents as d", "d.id", "k.document_id")
    .select(["d.id as documentId", "d.title", "k.id as chunkId", "k.ordinal", "k.content"])
    .where("d.id", "in", documentIds)
    .where("k.ordinal", "<", perDocument)
    .orderBy("d.created_at")
    .orderBy("k.ordinal")
    .execute();
}
