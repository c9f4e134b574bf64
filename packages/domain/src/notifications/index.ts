/** Public API of the notifications module. */

export type { Notification } from "./notifications.service.ts";
export * as notifications from "./notifications.service.ts";
