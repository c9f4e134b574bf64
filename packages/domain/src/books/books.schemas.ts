/** Inputs and outputs of the books module (zod only: the web's designer uses them too). */
import { z } from "zod";

export const BOOK_TEMPLATES = ["classic", "modern", "photo_heavy"] as const;
export type BookTemplate = (typeof BOOK_TEMPLATES)[number];
export const BOOK_TEMPLATE_LABELS: Record<BookTemplate, string> = {
  classic: "Classic",
  modern: "Modern",
  photo_heavy: "Photo-heavy",
};

export const BOOK_STATUSES = ["draft", "ready_to_order", "ordered", "completed"] as const;
export type BookStatus = (typeof BOOK_STATUSES)[number];
export const RENDER_STATUSES = ["none", "rendering", "done", "failed"] as const;
export type RenderStatus = (typeof RENDER_STATUSES)[number];

/**
 * What one book may hold: a render decodes every photo, so the worker's memory and time grow with
 * them. 200 stories and 100 photos render in well under a minute (`pnpm bench book-render`); 400 pages is
 * above what print vendors bind as one volume anyway.
 */
export const BOOK_LIMITS = { stories: 200, photos: 100, pages: 400 } as const;
/** Interior pages previewed as PNG (besides the cover). */
export const PREVIEW_PAGES = 11;

const title = z.string().trim().min(1, "The book needs a title").max(120, "At most 120 characters");
const subtitle = z.string().trim().max(200, "At most 200 characters");

export const createBookInput = z.object({
  campaignId: z.uuid(),
  title,
  subtitle: subtitle.optional(),
  template: z.enum(BOOK_TEMPLATES).optional(),
});
export type CreateBookInput = z.infer<typeof createBookInput>;

export const updateBookInput = z.object({
  bookId: z.uuid(),
  title: title.optional(),
  /** Blank clears it. */
  subtitle: subtitle.optional(),
  template: z.enum(BOOK_TEMPLATES).optional(),
  /** The stories, in book order. */
  storyIds: z
    .array(z.uuid())
    .max(BOOK_LIMITS.stories, `At most ${BOOK_LIMITS.stories} stories in one book`)
    .refine((ids) => new Set(ids).size === ids.length, "A story can be in the book once")
    .optional(),
  /** The photos kept, in order within each story; null = every photo of the chosen stories. */
  photoFileIds: z
    .array(z.uuid())
    .max(BOOK_LIMITS.photos, `At most ${BOOK_LIMITS.photos} photos in one book`)
    .refine((ids) => new Set(ids).size === ids.length, "A photo can be in the book once")
    .nullable()
    .optional(),
  coverPhotoFileId: z.uuid().nullable().optional(),
});
export type UpdateBookInput = z.infer<typeof updateBookInput>;

export const bookIdInput = z.object({ bookId: z.uuid() });
export const campaignBooksInput = z.object({ campaignId: z.uuid() });

export interface BookSummary {
  id: string;
  campaignId: string;
  title: string;
  subtitle: string | null;
  template: BookTemplate;
  status: BookStatus;
  renderStatus: RenderStatus;
  pageCount: number;
  storyCount: number;
  photoCount: number;
  updatedAt: Date;
}

export interface BookDetail extends BookSummary {
  storyIds: string[];
  photoFileIds: string[] | null;
  coverPhotoFileId: string | null;
  renderError: string | null;
  renderedAt: Date | null;
  /** The stored files show the current design (a proof can be approved). */
  proofCurrent: boolean;
  approvedAt: Date | null;
  /** Signed links, valid for an hour; null until rendered. */
  interiorUrl: string | null;
  coverUrl: string | null;
  previewUrls: string[];
  /** The caller is an owner of the campaign (designs, approves). */
  canDesign: boolean;
}

/** A story the designer can put in the book, with its photos. */
export interface BookSourceStory {
  id: string;
  title: string;
  category: string;
  status: string;
  wordCount: number;
  photos: { fileId: string; caption: string; width: number; height: number; url: string }[];
}

/** What the orders module reads of a book (PLAN-session-12 "Books"). */
export interface BookForOrder {
  id: string;
  userId: string;
  status: BookStatus;
  pageCount: number;
  interiorFileId: string | null;
  coverFileId: string | null;
}
