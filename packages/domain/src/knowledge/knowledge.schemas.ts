/** Writer inputs and outputs (browser-safe: zod only). The knowledge base for now. */
import { z } from "zod";

export const KNOWLEDGE_CATEGORIES = ["about_me", "audience", "writing_style"] as const;
export const EMBEDDING_STATUSES = ["pending", "ready", "failed"] as const;
export const MAX_KNOWLEDGE_TITLE = 200;
export const MAX_KNOWLEDGE_CONTENT = 20_000;

export type KnowledgeCategory = (typeof KNOWLEDGE_CATEGORIES)[number];
export type EmbeddingStatus = (typeof EMBEDDING_STATUSES)[number];

const title = z.string().trim().min(1, "Enter a title").max(MAX_KNOWLEDGE_TITLE);
const content = z
  .string()
  .trim()
  .min(1, "Write something first")
  .max(MAX_KNOWLEDGE_CONTENT, `Entries can be at most ${MAX_KNOWLEDGE_CONTENT} characters`);

export const createKnowledgeInput = z.object({ title, content, category: z.enum(KNOWLEDGE_CATEGORIES) });

export const updateKnowledgeInput = z
  .object({
    id: z.uuid(),
    title: title.optional(),
    content: content.optional(),
    category: z.enum(KNOWLEDGE_CATEGORIES).optional(),
  })
  .refine((v) => v.title !== undefined || v.content !== undefined || v.category !== undefined, "Change something");

export const knowledgeIdInput = z.object({ id: z.uuid() });

export const listKnowledgeInput = z
  .object({ category: z.enum(KNOWLEDGE_CATEGORIES).optional(), status: z.enum(EMBEDDING_STATUSES).optional() })
  .default({});

export const searchKnowledgeInput = z.object({
  query: z.string().trim().min(1, "Enter a search").max(500),
  limit: z.number().int().min(1).max(50).default(10),
});

export type CreateKnowledgeInput = z.infer<typeof createKnowledgeInput>;
export type UpdateKnowledgeInput = z.infer<typeof updateKnowledgeInput>;
export type ListKnowledgeInput = z.infer<typeof listKnowledgeInput>;
export type SearchKnowledgeInput = z.input<typeof searchKnowledgeInput>;

export interface KnowledgeEntry {
  id: string;
  title: string;
  content: string;
  category: KnowledgeCategory;
  embedding: {
    status: EmbeddingStatus;
    /** The model of the stored vector (an old model's while a re-embedding is pending). */
    model: string | null;
    error: string | null;
    attempts: number;
    embeddedAt: Date | null;
  };
  createdAt: Date;
  updatedAt: Date;
}

export interface KnowledgeMatch {
  entry: KnowledgeEntry;
  /** Reciprocal Rank Fusion score (k = 60) over the two signals. */
  score: number;
  matched: {
    /** Rank among the vector candidates (1 = nearest), with its cosine similarity. */
    vector: { rank: number; similarity: number } | null;
    /** Rank among the full-text matches (1 = best ts_rank_cd). */
    keyword: { rank: number } | null;
  };
}

// Writer sessions: the formats and their rules (pure), inputs and views.
