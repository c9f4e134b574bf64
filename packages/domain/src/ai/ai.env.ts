/**
 * The environment variables every app that talks to AI accepts, in one place (the apps merge this
 * into their own env schema and pass the result to `aiConfigFromEnv`; this module never reads
 * process.env). Zero configuration means the offline provider.
 */
import { z } from "zod";
import type { AiConfigInput } from "./ai.config.ts";

export const aiEnvSchema = z.object({
  AI_PROVIDER: z.enum(["offline", "openai"]).default("offline"),
  /** Any OpenAI-compatible server (OpenAI, Ollama, vLLM, LM Studio). */
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  AI_CHAT_MODEL: z.string().min(1).optional(),
  AI_EMBEDDING_MODEL: z.string().min(1).optional(),
  AI_VISION_MODEL: z.string().min(1).optional(),
  AI_TRANSCRIPTION_MODEL: z.string().min(1).optional(),
  AI_EMBEDDING_DIMENSIONS: z.coerce.number().int().min(8).max(16_000).default(1536),
  AI_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  AI_MAX_RETRIES: z.coerce.number().int().min(0).max(10).optional(),
  AI_MAX_TOKENS_FIELD: z.enum(["max_completion_tokens", "max_tokens"]).optional(),
  /** A Higgsfield-style submit/poll image API (without IMAGE_API_KEY: only for users' own image keys). */
  IMAGE_API_BASE_URL: z.url().optional(),
  IMAGE_API_KEY: z.string().min(1).optional(),
  /** "true" lets users' own AI connections use http and private addresses (a local Ollama): development only. */
  AI_USER_PRIVATE_ADDRESSES: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
});

export type AiEnv = z.infer<typeof aiEnvSchema>;

export function aiConfigFromEnv(env: AiEnv): AiConfigInput {
  const defined = <T extends object>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  return {
    provider: env.AI_PROVIDER,
    embeddingDimensions: env.AI_EMBEDDING_DIMENSIONS,
    userConnections: {
      allowPrivateAddresses: env.AI_USER_PRIVATE_ADDRESSES,
      ...(env.IMAGE_API_BASE_URL ? { imageApiBaseUrl: env.IMAGE_API_BASE_URL } : {}),
    },
    ...(env.AI_PROVIDER === "openai"
      ? {
          openai: {
            apiKey: env.OPENAI_API_KEY ?? "",
            ...defined({
              baseUrl: env.OPENAI_BASE_URL,
              chatModel: env.AI_CHAT_MODEL,
              embeddingModel: env.AI_EMBEDDING_MODEL,
              visionModel: env.AI_VISION_MODEL,
              transcriptionModel: env.AI_TRANSCRIPTION_MODEL,
              timeoutMs: env.AI_TIMEOUT_MS,
              maxRetries: env.AI_MAX_RETRIES,
              maxTokensField: env.AI_MAX_TOKENS_FIELD,
            }),
          },
        }
      : {}),
    ...(env.IMAGE_API_BASE_URL && env.IMAGE_API_KEY
      ? { imageApi: { baseUrl: env.IMAGE_API_BASE_URL, apiKey: env.IMAGE_API_KEY } }
      : {}),
  };
}
