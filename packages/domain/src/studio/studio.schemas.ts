/** Inputs and shapes of the studio module (browser-safe: zod and the URL rule only). */
import { z } from "zod";
import { REEL_PLATFORMS } from "./studio.urls.ts";

export { canonicalReelUrl, parseReelUrl, REEL_PLATFORMS, type ReelPlatform, type ReelRef } from "./studio.urls.ts";

/** At or above this many views a reel is approved when its stats first arrive, below it denied (seed 002). */
export const APPROVAL_VIEWS = 100_000;

export const REEL_STATUSES = ["pending", "approved", "denied"] as const;
export type ReelStatus = (typeof REEL_STATUSES)[number];

/** Where the view count stands: asked for, known, or the platform could not give it. */
export const STATS_STATES = ["fetching", "fetched", "failed"] as const;
export type StatsState = (typeof STATS_STATES)[number];

const tag = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(40)
  .regex(/^[\p{L}\p{N}_ -]+$/u, "Tags use letters, digits, spaces, _ and -");

export const reelIdInput = z.object({ reelId: z.uuid() });

export const saveReelInput = z.object({
  url: z.string().trim().min(1, "Paste a link").max(2048),
  notes: z.string().max(2000).optional(),
  tags: z.array(tag).max(20).optional(),
});

export const updateReelInput = z.object({
  reelId: z.uuid(),
  notes: z.string().max(2000).optional(),
  tags: z.array(tag).max(20).optional(),
  isFavorite: z.boolean().optional(),
  /** The user's decision, which the automatic rule never changes afterwards. */
  status: z.enum(["approved", "denied"]).optional(),
});

export const listReelsInput = z
  .object({
    status: z.enum(REEL_STATUSES).optional(),
    platform: z.enum(REEL_PLATFORMS).optional(),
    favorite: z.boolean().optional(),
  })
  .optional();

export type SaveReelInput = z.input<typeof saveReelInput>;
export type UpdateReelInput = z.input<typeof updateReelInput>;
export type ListReelsInput = z.input<typeof listReelsInput>;

export interface Reel {
  id: string;
  url: string;
  platform: (typeof REEL_PLATFORMS)[number];
  shortcode: string;
  title: string | null;
  /** Null until the first fetch lands. */
  viewCount: number | null;
  status: ReelStatus;
  /** True once the user chose the status (the rule no longer applies). */
  statusOverridden: boolean;
  stats: StatsState;
  statsError: string | null;
  statsFetchedAt: Date | null;
  /** When the count was last asked for (saved or refreshed). */
  statsRequestedAt: Date;
  /** A signed, expiring URL of the stored thumbnail. */
  thumbnailUrl: string | null;
  notes: string;
  tags: string[];
  isFavorite: boolean;
  createdAt: Date;
}
