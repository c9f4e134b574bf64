/**
 * Inputs of the study library's procedures (zod only, browser-safe). Content is checked against the item
 * type's schema in the service (the type is only known with the item), so it is `unknown` here.
 */
import { z } from "zod";
import { citationSchema, STUDY_ITEM_TYPES } from "./library.schemas.ts";

export const itemTypeSchema = z.enum(STUDY_ITEM_TYPES);
const title = z.string().trim().min(1, "Give it a title").max(200);
const topic = z.string().trim().max(500);

export const createFolderInput = z.object({
  name: z.string().trim().min(1, "Name the folder").max(80),
  description: z.string().trim().max(500).nullish(),
});
export type CreateFolderInput = z.input<typeof createFolderInput>;

export const renameFolderInput = z.object({
  folderId: z.uuid(),
  name: z.string().trim().min(1, "Name the folder").max(80),
  description: z.string().trim().max(500).nullish(),
});
export type RenameFolderInput = z.input<typeof renameFolderInput>;

export const createItemInput = z.object({
  itemType: itemTypeSchema,
  title,
  topic: topic.nullish(),
  content: z.unknown(),
  folderId: z.uuid().nullish(),
  source: z.enum(["manual", "topic", "documents"]).optional(),
  citations: z.array(citationSchema).max(100).optional(),
  isPlaceholder: z.boolean().optional(),
  generationId: z.uuid().nullish(),
});
export type CreateItemInput = z.input<typeof createItemInput>;

export const updateItemInput = z.object({
  itemId: z.uuid(),
  title: title.optional(),
  topic: topic.nullish(),
  /** Null files the item nowhere; absent leaves it where it is. */
  folderId: z.uuid().nullish(),
  content: z.unknown().optional(),
});
export type UpdateItemInput = z.input<typeof updateItemInput>;

export const listItemsInput = z
  .object({
    itemType: itemTypeSchema.optional(),
    /** A folder id, or null for the items in no folder. */
    folderId: z.uuid().nullish(),
    cursor: z.object({ at: z.coerce.date(), id: z.uuid() }).optional(),
    limit: z.number().int().min(1).max(100).default(50),
  })
  .default({ limit: 50 });
export type ListItemsInput = z.input<typeof listItemsInput>;

export const GENERATE_COUNT = { min: 1, max: 30, default: 8 } as const;

export const generateInput = z
  .object({
    itemType: itemTypeSchema,
    topic: topic.optional(),
    sourceIds: z
      .object({
        documents: z.array(z.uuid()).max(10).optional(),
        notes: z.array(z.uuid()).max(10).optional(),
      })
      .optional(),
    /** Questions, cards, sections or prompts wanted (capped by the type's limit). */
    count: z.number().int().min(GENERATE_COUNT.min).max(GENERATE_COUNT.max).optional(),
    folderId: z.uuid().nullish(),
    /** A repeated key is refused rather than run (and charged) twice. */
    idempotencyKey: z.string().min(8).max(100).optional(),
  })
  .refine((v) => Boolean(v.topic) || Boolean(v.sourceIds?.documents?.length) || Boolean(v.sourceIds?.notes?.length), {
    message: "Give a topic or choose documents or notes",
    path: ["topic"],
  });
export type GenerateInput = z.input<typeof generateInput>;

export type StudyFolder = {
  id: string;
  name: string;
  description: string | null;
  itemCount: number;
  createdAt: Date;
  updatedAt: Date;
};
