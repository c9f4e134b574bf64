/**
 * The AI provider layer: one interface (AiProvider) for chat, streaming, structured output, embeddings,
 * images, vision and transcription, with usage on every result for metering. Apps build it once from
 * their configuration with createAiProvider; the test servers are in "@inkwell/domain/ai/testing".
 */
export { type AiConfig, type AiConfigInput, aiConfigSchema, createAiProvider } from "./ai.config.ts";
export { type AiEnv, aiConfigFromEnv, aiEnvSchema } from "./ai.env.ts";
export type * from "./ai.types.ts";
export {
  estimateTokens,
  type FitOptions,
  type FitResult,
  fitToContext,
  MESSAGE_OVERHEAD_TOKENS,
  messageTokens,
  SUMMARY_PREFIX,
  type SummarizeOptions,
  summarizeForContext,
} from "./context.ts";
/** Signed webhooks of the image API (the studio's generations take them). */
export { IMAGE_WEBHOOK_HEADER, signImageWebhook, verifyImageWebhook } from "./providers/image-api.ts";
/** The offline placeholder of the studio's five image-prompt variations (no vision model). */
export { type OfflinePromptVariation, offlinePromptVariations } from "./providers/offline-image-prompts.ts";
/** The offline placeholder of study material (quizzes, flashcards, study guides, writing prompts). */
export { type OfflineStudyRequest, offlineStudyContent } from "./providers/offline-study.ts";
export { CRISIS_RESPONSE, type CrisisCategory, type CrisisResult, classifyCrisis } from "./safety.ts";
export {
  type AiConnection,
  checkBaseUrl,
  type LoadConnection,
  OPENAI_BASE_URL,
  OWN_KEY_PROVIDER,
  type OwnKeyUse,
  runWithCallerAi,
  type SavedAiConnections,
  type UserConnections,
  userConnectionsOf,
  withUserConnections,
} from "./user-connection.ts";
