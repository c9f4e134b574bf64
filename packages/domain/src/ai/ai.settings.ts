/**
 * The AI configuration's shape (zod), apart from the factory in ai.config.ts: the providers import
 * their settings' types from here, so they and the factory that builds them form no import cycle.
 */
import { z } from "zod";

export const openAiConfigSchema = z.object({
  /** Any OpenAI-compatible server: https://api.openai.com/v1, http://127.0.0.1:11434/v1 (Ollama), vLLM, LM Studio. */
  baseUrl: z.url().default("https://api.openai.com/v1"),
  /** Local servers ignore it but the SDK needs one; any non-empty string works there. */
  apiKey: z.string().min(1),
  chatModel: z.string().min(1).default("gpt-4o-mini"),
  embeddingModel: z.string().min(1).default("text-embedding-3-small"),
  visionModel: z.string().min(1).default("gpt-4o-mini"),
  transcriptionModel: z.string().min(1).default("whisper-1"),
  /** Per attempt; the SDK retries timed-out attempts too, up to maxRetries. */
  timeoutMs: z.number().int().positive().default(60_000),
  maxRetries: z.number().int().min(0).max(10).default(2),
  /**
   * OpenAI's reasoning models accept only max_completion_tokens; Ollama and LM Studio only max_tokens.
   */
  maxTokensField: z.enum(["max_completion_tokens", "max_tokens"]).default("max_completion_tokens"),
  /** Ask for response_format json_object in structured calls; turn off for servers that reject it. */
  jsonMode: z.boolean().default(true),
});

export const imageApiConfigSchema = z.object({
  baseUrl: z.url(),
  apiKey: z.string().min(1),
  model: z.string().min(1).default("default"),
  timeoutMs: z.number().int().positive().default(30_000),
  maxRetries: z.number().int().min(0).max(10).default(2),
});

export const aiConfigSchema = z
  .object({
    provider: z.enum(["offline", "openai"]).default("offline"),
    openai: openAiConfigSchema.optional(),
    /** Must match the vector column; the offline embeddings use the same size so the schema never changes. */
    embeddingDimensions: z.number().int().min(8).max(16_000).default(1536),
    embeddingBatchSize: z.number().int().min(1).max(2048).default(64),
    /** A Higgsfield-style submit/poll image API, used by the openai provider. */
    imageApi: imageApiConfigSchema.optional(),
    /** Users' own OpenAI-compatible connections (user-connection.ts). */
    userConnections: z
      .object({
        /** http and private addresses (a local Ollama): development only, since the server connects to what a user typed. */
        allowPrivateAddresses: z.boolean().default(false),
        /**
         * Where users' own image API keys are sent: an image API of the same kind as `imageApi` (the
         * server's, when this is unset). The server chooses the address, so a user's key never makes it
         * connect somewhere a user typed. Without either, users' image keys are not used.
         */
        imageApiBaseUrl: z.url().optional(),
      })
      .default({ allowPrivateAddresses: false }),
  })
  .refine((c) => c.provider !== "openai" || c.openai !== undefined, {
    message: 'provider "openai" needs the openai settings (at least apiKey)',
    path: ["openai"],
  });

export type AiConfigInput = z.input<typeof aiConfigSchema>;
export type AiConfig = z.output<typeof aiConfigSchema>;
export type OpenAiConfig = z.output<typeof openAiConfigSchema>;
export type ImageApiConfig = z.output<typeof imageApiConfigSchema>;
