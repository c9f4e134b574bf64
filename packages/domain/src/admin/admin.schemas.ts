/** Site administration (issue 15.7). Browser-safe: zod only. */
import { z } from "zod";

/**
 * The site settings an administrator can change. Only keys the app reads are here: each one has a
 * schema for its value and a default that applies while no row sets it.
 *
 * - `maintenance_message`: shown to everyone at the top of every page (with the announcements) while set.
 * - `feedback_open`: whether users can send bug reports and feedback (off: the forms say so and submits
 *   are refused).
 */
export const CONFIG_SCHEMAS = {
  maintenance_message: z.string().trim().min(1).max(300).nullable(),
  feedback_open: z.boolean(),
} as const;

export type ConfigKey = keyof typeof CONFIG_SCHEMAS;
export type ConfigValues = { [K in ConfigKey]: z.infer<(typeof CONFIG_SCHEMAS)[K]> };

export const CONFIG_DEFAULTS: ConfigValues = { maintenance_message: null, feedback_open: true };
export const CONFIG_KEYS = Object.keys(CONFIG_SCHEMAS) as ConfigKey[];

export const setConfigInput = z.discriminatedUnion("key", [
  z.object({ key: z.literal("maintenance_message"), value: CONFIG_SCHEMAS.maintenance_message }),
  z.object({ key: z.literal("feedback_open"), value: CONFIG_SCHEMAS.feedback_open }),
]);
export type SetConfigInput = z.infer<typeof setConfigInput>;

export interface ConfigEntry {
  key: ConfigKey;
  value: unknown;
  /** False while the default applies (no administrator has set it). */
  isSet: boolean;
  updatedAt: Date | null;
}

const title = z.string().trim().min(1, "Give the announcement a title.").max(120, "Keep the title under 120 characters.");
const message = z.string().trim().min(1, "Write the announcement.").max(1000, "Keep it under 1000 characters.");
const expiresAt = z.coerce.date().nullable();

export const createAnnouncementInput = z.object({
  title,
  message,
  enabled: z.boolean().default(false),
  expiresAt: expiresAt.optional(),
});
export const updateAnnouncementInput = z.object({
  id: z.uuid(),
  title: title.optional(),
  message: message.optional(),
  enabled: z.boolean().optional(),
  expiresAt: expiresAt.optional(),
});
export const announcementIdInput = z.object({ id: z.uuid() });
export type CreateAnnouncementInput = z.infer<typeof createAnnouncementInput>;
export type UpdateAnnouncementInput = z.infer<typeof updateAnnouncementInput>;

export interface Announcement {
  id: string;
  title: string;
  message: string;
  enabled: boolean;
  expiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What every visitor's banner shows: the live announcements, and the maintenance message first when set. */
export interface ActiveAnnouncement {
  /** Stable while the text is unchanged: the banner remembers dismissals by it. */
  id: string;
  kind: "maintenance" | "announcement";
  title: string;
  message: string;
  expiresAt: Date | null;
}

export const userIdInput = z.object({ userId: z.uuid() });

export const grantCreditsInput = z.object({
  userId: z.uuid(),
  amount: z.number().int().min(1, "Grant at least 1 credit.").max(1_000_000, "Grant at most 1,000,000 credits at once."),
  reason: z.string().trim().min(3, "Say why (the user sees it in their credit history).").max(300),
  /** Chosen by the form per grant: a retried request grants once. */
  idempotencyKey: z.string().trim().min(8).max(100),
});
export type GrantCreditsInput = z.infer<typeof grantCreditsInput>;

export const dashboardInput = z.object({ days: z.number().int().min(1).max(90).default(14) });

/** pg-boss's own rule for names (it throws a plain Error otherwise, which would be a 500). */
const queueName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[\w.\-/]+$/, "Not a queue name.");

export const queueNameInput = z.object({
  queue: queueName,
  limit: z.number().int().min(1).max(100).default(20),
});
export const retryJobInput = z.object({ queue: queueName, jobId: z.uuid() });

export interface QueueDepth {
  name: string;
  queued: number;
  ready: number;
  deferred: number;
  active: number;
  failed: number;
  total: number;
  /** When pg-boss counted them (a recount at most a minute old). */
  countedAt: Date | null;
}

export interface FailedJob {
  id: string;
  queue: string;
  /** What the handler's error left (pg-boss's `output`: message and stack). */
  error: string;
  retryCount: number;
  retryLimit: number;
  createdOn: Date;
  completedOn: Date | null;
  data: unknown;
}
