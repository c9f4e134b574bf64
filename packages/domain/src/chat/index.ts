/** Public API of the chat module: conversations for both assistants, streamed replies, their jobs. */

// The fixed crisis reply lives in the ai module; re-exported for the chat UI and tests.
export { CRISIS_RESPONSE } from "../ai/index.ts";
export { chatJobs, failStaleRepliesJob, titleConversationJob } from "./chat.jobs.ts";
export * from "./chat.schemas.ts";
export type { ChatDeps } from "./chat.service.ts";
export * as chat from "./chat.service.ts";
