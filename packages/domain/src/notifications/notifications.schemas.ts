/** Browser-safe notification inputs and types (zod only): `@inkwell/domain/notifications/schemas`. */
import { z } from "zod";

export const listNotificationsInput = z.object({ unreadOnly: z.boolean().default(false) }).default({ unreadOnly: false });
export type ListNotificationsInput = z.infer<typeof listNotificationsInput>;

export const notificationIdInput = z.object({ id: z.uuid("Not a valid id") });

/**
 * The bell counts unread notifications exactly up to this many; past it the count says "this many or more"
 * (the badge shows "9+" long before, the label "99+").
 */
export const UNREAD_COUNT_CAP = 100;
/**
 * The count reads at most this many of a user's unread rows, newest first. Unread rows the bell no longer
 * shows (expired live invites, withdrawn notices, shares that ran out) stay unread until "mark all read",
 * and the count passes over them; this bounds what it reads however many pile up. Exact while a user has
 * at most this many unread rows, or `UNREAD_COUNT_CAP` shown among the newest of them.
 */
export const UNREAD_COUNT_SCAN = 1000;

/** Kinds one user sends another (through the database's narrow, rate-limited path). */
export const USER_NOTIFICATION_TYPES = ["share", "live_invite", "comment"] as const;
export type UserNotificationType = (typeof USER_NOTIFICATION_TYPES)[number];

export interface Notification {
  id: string;
  kind: string;
  title: string;
  body: string;
  /** The user who sent it (user-to-user kinds), null for the system's own. */
  senderId: string | null;
  /** The study material it is about, with its title when the caller can still read it. */
  material: { id: string; title: string | null } | null;
  expiresAt: Date | null;
  readAt: Date | null;
  createdAt: Date;
}
