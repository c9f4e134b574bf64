/** The tutor's workspace documents: stored with their chunks' embeddings, and the passages that ground a reply. */
import { asUser, type Tx } from "@inkwell/db";
import { notFound } from "../platform/errors.ts";
import { type Actor, usage } from "../usage/index.ts";
import type { ChatDeps } from "./chat.deps.ts";
import { pdfToText } from "./chat.pdf.ts";
import * as repo from "./chat.repository.ts";
import type { AddDocumentInput, WorkspaceDocument } from "./chat.schemas.ts";

// ---- workspace documents (the tutor's grounding) ----

export const GROUNDING_TOKENS = 1500;
const CHUNK_CHARS = 1200;
const CHUNK_OVERLAP = 200;
const GROUNDING_PASSAGES = 4;

/** Overlapping windows of about 1,200 characters, cut at whitespace, so a passage rarely loses its context. */
export function chunkText(text: string, size = CHUNK_CHARS, overlap = CHUNK_OVERLAP): string[] {
  const clean = text.replace(/\r\n?/g, "\n").trim();
  const chunks: string[] = [];
  let start = 0;
  while (start < clean.length) {
    let end = Math.min(clean.length, start + size);
    if (end < clean.length) {
      const cut = clean.lastIndexOf(" ", end);
      if (cut > start + size / 2) end = cut;
    }
    const piece = clean.slice(start, end).trim();
    if (piece) chunks.push(piece);
    if (end >= clean.length) break;
    start = Math.max(end - overlap, start + 1);
  }
  return chunks;
}

/**
 * Stores a document with its chunks' embeddings. The embedding call runs before the transaction (no
 * transaction across a provider call); it is rate-limited but not charged.
 */
export async function addDocument(deps: ChatDeps, actor: Actor, input: AddDocumentInput): Promise<WorkspaceDocument> {
  if (input.conversationId) {
    const id = input.conversationId;
    const c = await asUser(deps.db, actor.userId, (tx) => repo.findConversation(tx, id));
    if (!c) throw notFound("Conversation");
  }
  await usage.takeRateLimit(deps, actor, "chat.embed-document");
  const content = input.pdfBase64 !== undefined ? await pdfToText(input.pdfBase64) : (input.content ?? "");
  const pieces = chunkText(content);
  const vectors = pieces.length ? (await deps.ai.embed(pieces)).vectors : [];
  return asUser(deps.db, actor.userId, (tx) =>
    repo.insertDocument(
      tx,
      actor.userId,
      { title: input.title, kind: input.kind, conversationId: input.conversationId, content },
      pieces.map((text, i) => ({ content: text, embedding: vectors[i] as number[] })),
    ),
  );
}

export function listDocuments(tx: Tx, conversationId?: string) {
  return repo.listDocuments(tx, conversationId);
}

export async function deleteDocument(tx: Tx, documentId: string) {
  if (!(await repo.deleteDocument(tx, documentId))) throw notFound("Document");
}

/**
 * The opening passages of the caller's chosen documents (for study material made from them), each with
 * its chunk id so what is generated can cite it. Documents not theirs are simply absent.
 */
export function documentPassages(tx: Tx, documentIds: string[], perDocument = 6) {
  return repo.chunksOfDocuments(tx, documentIds, perDocument);
}

/** The workspace passages nearest to the question, as a system note (null when there are none). */
export async function groundingFor(
  deps: ChatDeps,
  userId: string,
  conversationId: string,
  question: string,
  signal: AbortSignal,
) {
  const has = await asUser(deps.db, userId, (tx) => repo.listDocuments(tx, conversationId));
  if (!has.some((d) => d.chunks > 0)) return null;
  try {
    const embedded = await deps.ai.embed([question], { signal });
    const passages = await asUser(deps.db, userId, (tx) =>
      repo.nearestChunks(tx, conversationId, embedded.vectors[0] as number[], GROUNDING_PASSAGES),
    );
    if (!passages.length) return null;
    const content =
      "Passages from the student's own notes, most relevant first. Use them when they help and name the note you use; " +
      "if they do not cover the question, say so and answer from general knowledge.\n\n" +
      passages.map((p) => `[${p.title}]\n${p.content}`).join("\n\n");
    return { message: { role: "system" as const, content }, tokens: embedded.usage.inputTokens };
  } catch (err) {
    // A stop lands in the stream that follows (charged nothing); other failures just mean no grounding.
    if (signal.aborted) return null;
    // Grounding is a help, not a requirement: answer without it rather than fail the reply.
    deps.log.warn({ err, conversationId }, "could not ground a tutor reply");
    return null;
  }
}
