/** Public API of the notifications module. */

export * from "./notifications.schemas.ts";
export * as notifications from "./notifications.service.ts";
