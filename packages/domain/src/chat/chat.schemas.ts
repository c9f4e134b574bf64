/** Chat inputs and outputs (browser-safe: zod only). One module serves both assistants. */
import { z } from "zod";

export const ASSISTANTS = ["companion", "tutor"] as const;
export const MESSAGE_ROLES = ["user", "assistant", "system", "tool"] as const;
export const MESSAGE_STATUSES = ["complete", "streaming", "stopped", "failed"] as const;
export const MAX_MESSAGE_CHARS = 8000;

export type Assistant = (typeof ASSISTANTS)[number];
export type MessageRole = (typeof MESSAGE_ROLES)[number];
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Trimmed, then 1..8,000 characters: the same rule for send, edit and the web form. */
export const messageText = z
  .string()
  .trim()
  .min(1, "Write a message first")
  .max(MAX_MESSAGE_CHARS, `Messages can be at most ${MAX_MESSAGE_CHARS} characters`);

export const idempotencyKey = z.string().min(8).max(100);

export const createConversationInput = z.object({
  assistant: z.enum(ASSISTANTS),
  title: z.string().trim().min(1).max(200).optional(),
});

export const conversationIdInput = z.object({ conversationId: z.uuid() });

export const renameConversationInput = z.object({
  conversationId: z.uuid(),
  title: z.string().trim().min(1, "Enter a title").max(200),
});

export const listConversationsInput = z
  .object({
    assistant: z.enum(ASSISTANTS).optional(),
    /** Matches titles and message text (case-insensitive). */
    search: z.string().trim().max(200).optional(),
    limit: z.number().int().min(1).max(100).default(30),
    cursor: z.object({ lastMessageAt: z.coerce.date(), id: z.uuid() }).optional(),
  })
  .default({ limit: 30 });

export const saveDraftInput = z.object({
  conversationId: z.uuid(),
  draft: z.string().max(MAX_MESSAGE_CHARS),
});

export const sendInput = z.object({
  conversationId: z.uuid(),
  content: messageText,
  /** Chosen by the client per message: a retried send returns the first result and never runs twice. */
  idempotencyKey,
});

export const editLastInput = z.object({
  conversationId: z.uuid(),
  content: messageText,
});

export const messageIdInput = z.object({ messageId: z.uuid() });

export const feedbackInput = z.object({
  messageId: z.uuid(),
  /** 1 thumbs up, -1 thumbs down, null clears. */
  feedback: z.union([z.literal(1), z.literal(-1)]).nullable(),
});

export const streamInput = z.object({
  messageId: z.uuid(),
  /** Characters of the reply the client already has (JS string length). */
  fromOffset: z.number().int().min(0).default(0),
  /** Set by tRPC's SSE link on reconnect to the last tracked event id (an offset); wins over fromOffset. */
  lastEventId: z.string().max(40).nullish(),
});

export interface MessageMetadata {
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  latencyMs?: number;
  toolsCalled?: string[];
  /** On a tool message: the tool could not run (its content is `{ "error": … }`). */
  toolError?: boolean;
  credits?: number;
  generationId?: string;
}

export interface Conversation {
  id: string;
  assistant: Assistant;
  title: string;
  titleSource: "auto" | "user";
  draft: string;
  lastMessageAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface ConversationSummary extends Conversation {
  /** The newest message's text, shortened, for the list. */
  preview: string | null;
}

export interface ChatMessageView {
  id: string;
  conversationId: string;
  seq: number;
  role: MessageRole;
  content: string;
  status: MessageStatus;
  metadata: MessageMetadata;
  feedback: -1 | 1 | null;
  safety: boolean;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** An assistant message that called tools (its content is usually empty): the calls it made. */
  toolCalls?: ToolCallView[];
  /** A `role: "tool"` message (content: the result as JSON): which call it answers, and the tool's name. */
  toolCallId?: string;
  toolName?: string;
}

/** One tool call as stored on an assistant message; `arguments` is the JSON text the model wrote. */
export interface ToolCallView {
  id: string;
  name: string;
  arguments: string;
}

/** The names of the assistants' tools: companion `breathing_exercise`, tutor `quiz_from_document`. */
export type ToolName = "breathing_exercise" | "quiz_from_document";

/** A tool message's content when the tool could not run (invalid arguments, no documents, a failure). */
export interface ToolError {
  error: string;
}

/** `breathing_exercise`'s result: one round's steps, repeated `rounds` times. */
export interface BreathingStep {
  action: "inhale" | "hold" | "exhale";
  seconds: number;
  instruction: string;
}

export interface BreathingExercise {
  technique: "box" | "4-7-8" | "coherent";
  name: string;
  intro: string;
  rounds: number;
  steps: BreathingStep[];
  secondsPerRound: number;
  totalSeconds: number;
  closing: string;
}

/** `quiz_from_document`'s result: questions from the student's own notes (`source` is the note's title). */
export interface QuizQuestion {
  question: string;
  choices: string[];
  /** 0-based index of the correct choice. */
  answerIndex: number;
  explanation: string;
  source: string;
}

export interface Quiz {
  topic: string;
  questions: QuizQuestion[];
  sources: string[];
}

/** What `send`, `regenerate` and `editLast` return: the user's message and the reply being written. */
export interface SendResult {
  userMessage: ChatMessageView;
  assistantMessage: ChatMessageView;
}

/** Events of `chat.stream`: text from an offset, then one final event. */
export type StreamEvent =
  | { type: "delta"; offset: number; text: string }
  | { type: "final"; status: MessageStatus; length: number; metadata: MessageMetadata; error: string | null };

export type CreateConversationInput = z.infer<typeof createConversationInput>;
export type ListConversationsInput = z.infer<typeof listConversationsInput>;
export type SendInput = z.infer<typeof sendInput>;
export type StreamInput = z.infer<typeof streamInput>;

// ---- workspace documents (the tutor's grounding) ----

export const DOCUMENT_KINDS = ["note", "pdf", "text", "image"] as const;
export const MAX_DOCUMENT_CHARS = 200_000;

/** A PDF upload's size limit, decoded (the base64 text is about 4/3 of this). */
export const MAX_PDF_BYTES = 5 * 1024 * 1024;
const MAX_PDF_BASE64_CHARS = Math.ceil(MAX_PDF_BYTES / 3) * 4;

export const addDocumentInput = z
  .object({
    title: z.string().trim().min(1, "Enter a title").max(200),
    kind: z.enum(DOCUMENT_KINDS),
    /** The document's text (for images: extracted on the client). Give this or `pdfBase64`. */
    content: z.string().trim().min(1, "The document is empty").max(MAX_DOCUMENT_CHARS).optional(),
    /**
     * Only with kind "pdf", instead of `content`: the file itself, base64 (at most 5 MB decoded). The
     * server checks it is a PDF and extracts its text.
     */
    pdfBase64: z
      .string()
      .max(MAX_PDF_BASE64_CHARS, "PDFs can be at most 5 MB")
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, "The PDF is not valid base64")
      .optional(),
    conversationId: z.uuid().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.pdfBase64 !== undefined && v.kind !== "pdf")
      ctx.addIssue({ code: "custom", path: ["pdfBase64"], message: "Only a PDF document can be uploaded as a file" });
    if ((v.content === undefined) === (v.pdfBase64 === undefined))
      ctx.addIssue({ code: "custom", path: ["content"], message: "Give the document's text or a PDF file (one of them)" });
  });

export const documentIdInput = z.object({ documentId: z.uuid() });

export const listDocumentsInput = z.object({ conversationId: z.uuid().optional() }).default({});

export interface WorkspaceDocument {
  id: string;
  conversationId: string | null;
  title: string;
  kind: (typeof DOCUMENT_KINDS)[number];
  chunks: number;
  characters: number;
  createdAt: Date;
}

export type AddDocumentInput = z.infer<typeof addDocumentInput>;
