/**
 * Provider configuration. The apps fill it from their environment and pass it in; this package never
 * reads process.env (the openai SDK would, so every option it falls back to env for is set explicitly).
 */
import { type AiConfigInput, aiConfigSchema } from "./ai.settings.ts";
import type { AiProvider } from "./ai.types.ts";
import { createImageApiClient } from "./providers/image-api.ts";
import { createOfflineProvider } from "./providers/offline.ts";
import { createOpenAiProvider } from "./providers/openai.ts";
import { withUserConnections } from "./user-connection.ts";

export {
  type AiConfig,
  type AiConfigInput,
  aiConfigSchema,
  type ImageApiConfig,
  type OpenAiConfig,
} from "./ai.settings.ts";

/** The server's provider, routed per call to the caller's own connection when they saved one (user-connection.ts). */
export function createAiProvider(input: AiConfigInput = {}): AiProvider {
  const config = aiConfigSchema.parse(input);
  const common = { embeddingDimensions: config.embeddingDimensions, embeddingBatchSize: config.embeddingBatchSize };
  const base =
    config.provider === "offline"
      ? createOfflineProvider(common)
      : createOpenAiProvider({
          ...common,
          openai: config.openai!,
          image: config.imageApi ? createImageApiClient(config.imageApi) : undefined,
        });
  return withUserConnections(base, {
    ...common,
    ...config.userConnections,
    imageApiBaseUrl: config.userConnections.imageApiBaseUrl ?? config.imageApi?.baseUrl,
  });
}
