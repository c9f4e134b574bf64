/** Inputs and shapes of the studio's asset library (browser-safe: zod only). */
import { z } from "zod";
import { fileNameSchema } from "../files/files.schemas.ts";

export const ASSET_KINDS = ["image", "audio", "video", "document"] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

export const ASSET_SOURCES = ["upload", "generation", "voice"] as const;
export type AssetSource = (typeof ASSET_SOURCES)[number];

/** An asset holds at most this many tags (the table checks it too). */
export const MAX_ASSET_TAGS = 30;
/** A bulk action touches at most this many assets. */
export const MAX_BULK_ASSETS = 100;
export const ASSET_PAGE_SIZE = 48;

/** What the sniffed content type makes an asset: PDFs and text are documents. */
export function assetKindOf(contentType: string): AssetKind {
  if (contentType.startsWith("image/")) return "image";
  if (contentType.startsWith("audio/")) return "audio";
  if (contentType.startsWith("video/")) return "video";
  return "document";
}

export const assetTagSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, "A tag cannot be empty")
  .max(40, "Tags can be at most 40 characters")
  .regex(/^[\p{L}\p{N}_ -]+$/u, "Tags use letters, digits, spaces, _ and -");

const tags = z
  .array(assetTagSchema)
  .max(MAX_ASSET_TAGS, `An asset can have at most ${MAX_ASSET_TAGS} tags`)
  .transform((list) => [...new Set(list)]);

export const assetIdInput = z.object({ assetId: z.uuid() });

export const attachAssetInput = z.object({
  fileId: z.uuid(),
  filename: fileNameSchema.optional(),
  personaId: z.uuid().nullish(),
  tags: tags.optional(),
});

export const listAssetsInput = z
  .object({
    kind: z.enum(ASSET_KINDS).optional(),
    tag: assetTagSchema.optional(),
    favorite: z.boolean().optional(),
    personaId: z.uuid().optional(),
    /** Part of the file name, case-insensitive. */
    search: z.string().trim().max(100).optional(),
    /** `nextCursor` of the previous page. */
    cursor: z
      .string()
      .regex(/^\d{1,20}_[0-9a-f-]{36}$/, "Invalid cursor")
      .optional(),
    limit: z.number().int().min(1).max(100).default(ASSET_PAGE_SIZE),
  })
  .default({ limit: ASSET_PAGE_SIZE });

export const updateAssetInput = z.object({
  assetId: z.uuid(),
  filename: fileNameSchema.optional(),
  tags: tags.optional(),
  isFavorite: z.boolean().optional(),
  personaId: z.uuid().nullable().optional(),
});

export const BULK_ASSET_ACTIONS = ["tag", "untag", "favorite", "unfavorite", "delete"] as const;
export type BulkAssetAction = (typeof BULK_ASSET_ACTIONS)[number];

export const bulkAssetsInput = z
  .object({
    assetIds: z
      .array(z.uuid())
      .min(1, "Choose at least one asset")
      .max(MAX_BULK_ASSETS, `At most ${MAX_BULK_ASSETS} assets at once`)
      .transform((ids) => [...new Set(ids)]),
    action: z.enum(BULK_ASSET_ACTIONS),
    /** For tag and untag. */
    tag: assetTagSchema.optional(),
  })
  .refine((v) => (v.action === "tag" || v.action === "untag" ? v.tag !== undefined : true), {
    message: "Name the tag",
    path: ["tag"],
  });

export type AttachAssetInput = z.input<typeof attachAssetInput>;
export type ListAssetsInput = z.input<typeof listAssetsInput>;
export type UpdateAssetInput = z.input<typeof updateAssetInput>;
export type BulkAssetsInput = z.input<typeof bulkAssetsInput>;

export interface Asset {
  id: string;
  kind: AssetKind;
  filename: string;
  contentType: string;
  byteSize: number;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  tags: string[];
  isFavorite: boolean;
  personaId: string | null;
  source: AssetSource;
  /** Expiring signed URL of what is served (images: re-encoded, without metadata). */
  url: string;
  /** Images: the thumbnail's signed URL; null otherwise. */
  thumbnailUrl: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AssetPage {
  assets: Asset[];
  nextCursor: string | null;
}

/** What other studio features show of an asset (personas' reference images, a prompt's source). */
export interface AssetSummary {
  id: string;
  kind: AssetKind;
  filename: string;
  contentType: string;
  width: number | null;
  height: number | null;
  thumbnailUrl: string | null;
  url: string;
}
