/** Writer sessions and projects: inputs and outputs (browser-safe: zod and the pure format rules only). */
import { z } from "zod";
import { WRITER_FORMAT_IDS, WRITER_STYLES, type WriterFormat, type WriterStyle } from "./writer-formats.ts";

export const MAX_CONCEPT_CHARS = 5000;
export const MAX_INSTRUCTION_CHARS = 2000;
export const MAX_OUTPUT_CHARS = 100_000;
export const MAX_PROJECT_TAGS = 20;

export const OUTPUT_STATUSES = ["streaming", "ready", "failed"] as const;
export const VERSION_SOURCES = ["generated", "iteration", "edit", "restore"] as const;
export type OutputStatus = (typeof OUTPUT_STATUSES)[number];
export type VersionSource = (typeof VERSION_SOURCES)[number];

const idempotencyKey = z
  .string()
  .min(8, "The request key must be 8 to 100 characters")
  .max(100, "The request key must be 8 to 100 characters");

/** One or more formats, each once. */
const formatList = z
  .array(z.enum(WRITER_FORMAT_IDS, { error: "Unknown format" }))
  .min(1, "Pick at least one format")
  .max(WRITER_FORMAT_IDS.length, "Pick each format once")
  .refine((f) => new Set(f).size === f.length, "Pick each format once");

export const createSessionInput = z.object({
  concept: z
    .string()
    .trim()
    .min(1, "Describe your idea first")
    .max(MAX_CONCEPT_CHARS, `Keep the idea within ${MAX_CONCEPT_CHARS} characters`),
  formats: formatList,
  style: z.enum(WRITER_STYLES),
  /** A voice profile; omitted or null means the user's default profile, if any. */
  voiceProfileId: z.uuid().nullish(),
  /** Draw on the knowledge base (the most relevant entries for the concept). */
  useKnowledge: z.boolean().default(true),
  /** Chosen by the client per submit: a retried create returns the same session and never generates twice. */
  idempotencyKey,
});

export const sessionIdInput = z.object({ sessionId: z.uuid() });
export const outputIdInput = z.object({ outputId: z.uuid() });
export const versionIdInput = z.object({ versionId: z.uuid() });

export const iterateInput = z.object({
  sessionId: z.uuid(),
  instruction: z
    .string()
    .trim()
    .min(1, "Say what to change")
    .max(MAX_INSTRUCTION_CHARS, `Keep it within ${MAX_INSTRUCTION_CHARS} characters`),
  /** The formats to revise; all of the session's when omitted. */
  formats: formatList.optional(),
  idempotencyKey,
});

export const editOutputInput = z.object({
  outputId: z.uuid(),
  content: z
    .string()
    .trim()
    .min(1, "The text can't be empty")
    .max(MAX_OUTPUT_CHARS, `Keep the text within ${MAX_OUTPUT_CHARS.toLocaleString("en")} characters`),
});

const cursor = z.object({ createdAt: z.coerce.date(), id: z.uuid() });

export const listSessionsInput = z
  .object({
    /** Full-text over titles and concepts; every word counts, the last one as a prefix. */
    query: z.string().trim().max(200, "Keep the search within 200 characters").optional(),
    cursor: cursor.optional(),
    limit: z.number().int().min(1).max(50).default(20),
  })
  .default({ limit: 20 });

export const renameSessionInput = z.object({
  sessionId: z.uuid(),
  title: z.string().trim().min(1, "Enter a title").max(200, "Keep the title within 200 characters"),
});

export const streamSessionInput = z.object({
  sessionId: z.uuid(),
  /** Set by tRPC's SSE link on reconnect; snapshots are whole, so a resumed stream just starts over. */
  lastEventId: z.string().max(100).nullish(),
});

const tags = z
  .array(z.string().trim().toLowerCase().min(1, "Tags can't be empty").max(40, "Keep each tag within 40 characters"))
  .max(MAX_PROJECT_TAGS, `At most ${MAX_PROJECT_TAGS} tags`)
  .transform((t) => [...new Set(t)]);

export const pinProjectInput = z.object({
  sessionId: z.uuid(),
  name: z.string().trim().min(1, "Name the project").max(200, "Keep the name within 200 characters"),
  description: z.string().trim().max(2000, "Keep the description within 2,000 characters").default(""),
  tags: tags.default([]),
});

export const listProjectsInput = z
  .object({
    tag: z.string().trim().toLowerCase().min(1, "Pick a tag").max(40, "Keep each tag within 40 characters").optional(),
    cursor: cursor.optional(),
    limit: z.number().int().min(1).max(50).default(20),
  })
  .default({ limit: 20 });

export const updateProjectInput = z
  .object({
    projectId: z.uuid(),
    name: z.string().trim().min(1, "Name the project").max(200, "Keep the name within 200 characters").optional(),
    description: z.string().trim().max(2000, "Keep the description within 2,000 characters").optional(),
    tags: tags.optional(),
  })
  .refine((v) => v.name !== undefined || v.description !== undefined || v.tags !== undefined, "Change something");

export const projectIdInput = z.object({ projectId: z.uuid() });

export type CreateSessionInput = z.input<typeof createSessionInput>;
export type IterateInput = z.infer<typeof iterateInput>;
export type ListSessionsInput = z.infer<typeof listSessionsInput>;
export type PinProjectInput = z.infer<typeof pinProjectInput>;
export type ListProjectsInput = z.infer<typeof listProjectsInput>;
export type UpdateProjectInput = z.infer<typeof updateProjectInput>;

export interface WriterVersion {
  id: string;
  outputId: string;
  /** 1, 2, 3… per output. */
  number: number;
  content: string;
  /** A thread's posts, each starting "i/n "; null for single texts. */
  parts: string[] | null;
  source: VersionSource;
  /** The iteration's instruction; for a restore, "Restored version n". */
  instruction: string | null;
  charCount: number;
  createdAt: Date;
}

export interface WriterOutput {
  id: string;
  format: WriterFormat;
  status: OutputStatus;
  error: string | null;
  /**
   * The version shown. Null only while the first generation is still streaming (or if it failed):
   * until then the text so far is in `draft`.
   */
  current: WriterVersion | null;
  versionCount: number;
  /** The text streamed so far while `status` is 'streaming' (not yet checked against the rules); '' otherwise. */
  draft: string;
}

/** The title of a session nobody (neither the title job nor the user) has named yet. */
export const DEFAULT_SESSION_TITLE = "New draft";

export interface WriterSession {
  id: string;
  title: string;
  /** The name of the project it is pinned as (what the user called it, shown instead of the title); null when not pinned. */
  projectName: string | null;
  concept: string;
  style: WriterStyle;
  voiceProfileId: string | null;
  pinned: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface WriterSessionSummary extends WriterSession {
  formats: WriterFormat[];
  /** The project this session is pinned as, if any. */
  projectId: string | null;
}

export interface WriterMessage {
  id: string;
  role: "user" | "assistant";
  content: string;
  createdAt: Date;
}

export interface KnowledgeUsed {
  id: string;
  title: string;
  category: string;
}

export interface WriterSessionDetail {
  session: WriterSession;
  outputs: WriterOutput[];
  messages: WriterMessage[];
  /** The knowledge entries the generation drew on (as they were titled then). */
  knowledgeUsed: KnowledgeUsed[];
}

export interface WriterProject {
  id: string;
  sessionId: string;
  name: string;
  description: string;
  tags: string[];
  session: { title: string; concept: string; formats: WriterFormat[] };
  createdAt: Date;
  updatedAt: Date;
}

/** A snapshot of one output on `writer.sessions.stream`: its whole text so far (or stored), not a delta. */
export interface WriterStreamEvent {
  outputId: string;
  format: WriterFormat;
  /** The stored version once ready; while streaming, the current (previous) version or null. */
  versionId: string | null;
  status: OutputStatus;
  content: string;
  /** A thread's posts once ready. */
  parts: string[] | null;
  error: string | null;
}
