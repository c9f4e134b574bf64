/** Public API of the chat module: conversations for both assistants, streamed replies, their jobs. */

export { CRISIS_RESPONSE } from "./chat.context.ts";
export { chatJobs, failStaleRepliesJob, titleConversationJob } from "./chat.jobs.ts";
export * from "./chat.schemas.ts";
export type { ChatDeps } from "./chat.service.ts";
export * as chat from "./chat.service.ts";
