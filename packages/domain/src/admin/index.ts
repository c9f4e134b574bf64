/** Public API of the admin module: site settings, announcements, users, dashboards, queue health. */

export { pgBossQueueAdmin, type QueueAdmin } from "./admin.queues.ts";
export * from "./admin.schemas.ts";
export * as admin from "./admin.service.ts";
