/** Browser-safe notification inputs and types (zod only): `@inkwell/domain/notifications/schemas`. */
import { z } from "zod";

export const listNotificationsInput = z.object({ unreadOnly: z.boolean().default(false) }).default({ unreadOnly: false });
export type ListNotificationsInput = z.infer<typeof listNotificationsInput>;

export const notificationIdInput = z.object({ id: z.uuid("Not a valid id") });

export interface Notification {
  id: string;
  kind: string;
  title: string;
  body: string;
  readAt: Date | null;
  createdAt: Date;
}
