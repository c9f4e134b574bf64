/**
 * Users' own AI connections. A user who saved an OpenAI-compatible connection (base URL, key, model)
 * has their metered text calls made with it, and a user who saved a key for the image API (the
 * "higgsfield" key) has their image generations submitted and polled with it; everyone else, and
 * everything a user saved nothing for, gets the server's provider.
 *
 * Call sites keep calling `deps.ai`: the provider createAiProvider returns is a router that, per call,
 * asks an AsyncLocalStorage which provider the current metered call should use. The app binds where
 * saved connections come from once (`identity.bindSavedAiConnections`, in its deps). `usage.runMetered`
 * resolves the caller's connection BEFORE its transactions (a short transaction of its own reads the
 * sealed keys; no transaction is held across the HTTP call) and runs the call inside that context.
 * Outside a metered call (titles, background jobs) the server's provider answers.
 *
 * What goes to the user's connection: chat, streaming, structured output and image descriptions
 * (with their chat model); image generation to their image key, at the image API address the server
 * is configured with (a user never points the server at an address of their choosing for images).
 * What stays on the server's: embeddings (every vector must share one model, space and dimension with
 * the stored ones) and transcription.
 *
 * Read-through: the saved rows are read on every resolution (one indexed read of at most two rows, in
 * the short transaction above), and only the provider built from them is reused while they are
 * unchanged. A key saved or deleted in any process (another API instance, the worker) therefore takes
 * effect on that user's next call, with no cache to invalidate across processes.
 *
 * Addresses: the server connects to a URL a user typed, so outside development only public
 * addresses are reachable (checked at connect time, like WordPress sites: platforms/public-address.ts),
 * and http is refused unless private addresses are allowed (a local Ollama in development).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import { DomainError } from "../platform/errors.ts";
import { PrivateAddressError, publicAddressesOf, publicOnlyFetch } from "../platforms/index.ts";
import { imageApiConfigSchema, openAiConfigSchema } from "./ai.settings.ts";
import type { AiProvider, ImageGenerator } from "./ai.types.ts";
import { createImageApiClient } from "./providers/image-api.ts";
import { createOpenAiProvider } from "./providers/openai.ts";

/** What a user saved, with the key opened. */
export interface AiConnection {
  /** null: OpenAI's API. */
  baseUrl: string | null;
  apiKey: string;
  /** null: the default chat model. */
  model: string | null;
}

/** Everything a user saved that can stand in for the server's provider. */
export interface SavedAiConnections {
  /** The OpenAI-compatible connection (text, structured output, image descriptions). */
  text?: AiConnection | undefined;
  /** Their key for the server's image API. */
  imageApiKey?: string | undefined;
  /** They saved a text-to-speech (ElevenLabs) key: the studio's TTS client speaks with it, not this provider. */
  voiceKeySaved?: boolean | undefined;
}

/** Which of the user's keys a call needs: their text connection, their image API key or their TTS key. */
export type OwnKeyUse = "text" | "image" | "voice";

export interface UserConnectionPolicy {
  /** http and private addresses (loopback, LAN) for user connections: development only. */
  allowPrivateAddresses: boolean;
  /** The image API users' image keys are sent to (the server's own when unset; none: image keys are unused). */
  imageApiBaseUrl?: string | undefined;
  embeddingDimensions: number;
  embeddingBatchSize: number;
}

export const OPENAI_BASE_URL = "https://api.openai.com/v1";
/** The generation history's provider for a call made on the user's own connection. */
export const OWN_KEY_PROVIDER = "own-key";

const TEST_TIMEOUT_MS = 20_000;

/** The provider the current metered call uses, when it is the caller's own. */
const callerProvider = new AsyncLocalStorage<AiProvider | undefined>();

/**
 * Runs `fn` so that calls to a routing provider inside it go to `provider` (the server's when undefined).
 * Always a scope of its own: with undefined it clears any caller's provider in effect around it, so a
 * call that has no own key never inherits another user's (work started from inside their metered call).
 */
export function runWithCallerAi<T>(provider: AiProvider | undefined, fn: () => Promise<T>): Promise<T> {
  return callerProvider.run(provider, fn);
}

/** A user's provider, reused while what they saved is the same (`saved` is its fingerprint). */
type CacheEntry = { saved: string; provider: AiProvider | undefined; uses: ReadonlySet<OwnKeyUse> };
/** Users whose built provider is kept per process; the least recently used beyond it are dropped. */
const CACHED_USERS = 1000;

/** Reads and opens a user's saved connections (identity's loadSavedAiConnections, bound by the app). */
export type LoadConnection = (userId: string) => Promise<SavedAiConnections>;

export interface UserConnections {
  readonly policy: UserConnectionPolicy;
  /** Where saved connections come from; until this is called every call uses the server's provider. */
  useSaved(load: LoadConnection): void;
  /**
   * The user's own provider when they saved a key for this use, or undefined (the server's provider
   * answers). Reads their saved rows every time, so a change made in any process applies at once.
   */
  providerFor(userId: string, use: OwnKeyUse): Promise<AiProvider | undefined>;
  /** The uses the user's saved keys cover (for showing what costs them nothing). */
  usesOf(userId: string): Promise<ReadonlySet<OwnKeyUse>>;
  /** A real short chat call with these settings: the model's answer, or a DomainError saying what is wrong. */
  test(connection: AiConnection): Promise<{ answer: string; model: string; latencyMs: number }>;
}

const ROUTING = Symbol("inkwell.ai.userConnections");

/** The user-connection side of a routing provider (undefined for any other AiProvider). */
export function userConnectionsOf(ai: AiProvider): UserConnections | undefined {
  return (ai as { [ROUTING]?: UserConnections })[ROUTING];
}

/** Refuses a base URL this server will not connect to (before anything is saved or called). */
export function checkBaseUrl(raw: string, policy: Pick<UserConnectionPolicy, "allowPrivateAddresses">): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DomainError("INVALID_INPUT", "That is not a web address.", { field: "baseUrl" });
  }
  if (url.username || url.password)
    throw new DomainError("INVALID_INPUT", "Put the key in the key field, not in the address.", { field: "baseUrl" });
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && policy.allowPrivateAddresses) return url;
  throw new DomainError(
    "INVALID_INPUT",
    policy.allowPrivateAddresses
      ? "Use an http or https address."
      : "Use an https address (plain http is accepted only for local servers in development).",
    { field: "baseUrl" },
  );
}

/** OpenAI's own API takes max_completion_tokens (its reasoning models refuse max_tokens); Ollama and most local servers only max_tokens. */
const maxTokensFieldFor = (url: URL) => (url.hostname === "api.openai.com" ? "max_completion_tokens" : "max_tokens");

function textProviderOf(connection: AiConnection, policy: UserConnectionPolicy): AiProvider {
  const url = checkBaseUrl(connection.baseUrl ?? OPENAI_BASE_URL, policy);
  const model = connection.model ?? undefined;
  return createOpenAiProvider({
    openai: openAiConfigSchema.parse({
      baseUrl: url.toString().replace(/\/$/, ""),
      apiKey: connection.apiKey,
      ...(model && { chatModel: model, visionModel: model }),
      maxTokensField: maxTokensFieldFor(url),
      maxRetries: 1,
    }),
    embeddingDimensions: policy.embeddingDimensions,
    embeddingBatchSize: policy.embeddingBatchSize,
    ...(policy.allowPrivateAddresses ? {} : { fetch: publicOnlyFetch() }),
  });
}

function connectionError(error: unknown, host: string, model: string): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof APIConnectionTimeoutError)
    return new DomainError("UPSTREAM_TIMEOUT", `${host} did not answer within ${TEST_TIMEOUT_MS / 1000} s.`);
  if (error instanceof APIError && error.status !== undefined) {
    if (error.status === 401 || error.status === 403)
      return new DomainError("UPSTREAM_FAILED", `The server refused the key (${error.status}).`);
    if (error.status === 404)
      return new DomainError(
        "UPSTREAM_FAILED",
        `The server does not know the model "${model}" (404); check the model name and that the address ends where the API starts (often /v1).`,
      );
    if (error.status === 429) return new DomainError("UPSTREAM_FAILED", "The server is rate limiting this key (429).");
    return new DomainError("UPSTREAM_FAILED", `The server answered ${error.status}.`);
  }
  let cause: unknown = error instanceof APIConnectionError ? error.cause : undefined;
  while (cause && !(cause instanceof PrivateAddressError)) cause = (cause as { cause?: unknown }).cause;
  if (cause)
    return new DomainError("INVALID_INPUT", `${host} is on a private network; this server connects only to public addresses.`);
  return new DomainError("UPSTREAM_FAILED", `Could not reach ${host}.`);
}

/**
 * Wraps the server's provider so that each call goes to the caller's own provider when the current
 * metered call has one (see runWithCallerAi), and to `base` otherwise.
 */
export function withUserConnections(base: AiProvider, policy: UserConnectionPolicy): AiProvider {
  const cache = new Map<string, CacheEntry>();
  const current = () => callerProvider.getStore() ?? base;

  /** The server's provider with the parts the user saved a key for replaced by theirs. */
  function build(saved: SavedAiConnections): Omit<CacheEntry, "saved"> {
    const text = saved.text && textProviderOf(saved.text, policy);
    const image: ImageGenerator | undefined =
      saved.imageApiKey && policy.imageApiBaseUrl
        ? createImageApiClient(imageApiConfigSchema.parse({ baseUrl: policy.imageApiBaseUrl, apiKey: saved.imageApiKey }))
        : undefined;
    const uses = new Set<OwnKeyUse>([
      ...(text ? ["text" as const] : []),
      ...(image ? ["image" as const] : []),
      ...(saved.voiceKeySaved ? ["voice" as const] : []),
    ]);
    if (!uses.size) return { provider: undefined, uses };
    const textSide = text ?? base;
    const provider: AiProvider = {
      name: textSide.name,
      offline: textSide.offline,
      chat: (request, options) => textSide.chat(request, options),
      chatStream: (request, options) => textSide.chatStream(request, options),
      structured: (request, schema, options) => textSide.structured(request, schema, options),
      embed: (texts, options) => base.embed(texts, options),
      image: image ?? base.image,
      describeImage: (request, options) => textSide.describeImage(request, options),
      transcribe: (request, options) => base.transcribe(request, options),
    };
    return { provider, uses };
  }

  async function resolve(userId: string): Promise<Omit<CacheEntry, "saved">> {
    if (!load) return { provider: undefined, uses: new Set() };
    const saved = await load(userId);
    const fingerprint = JSON.stringify([
      saved.text?.baseUrl,
      saved.text?.apiKey,
      saved.text?.model,
      saved.imageApiKey,
      saved.voiceKeySaved,
    ]);
    const hit = cache.get(userId);
    cache.delete(userId);
    const entry = hit?.saved === fingerprint ? hit : { saved: fingerprint, ...build(saved) };
    // Re-inserted last: a Map iterates in insertion order, so the first key is the least recently used.
    cache.set(userId, entry);
    if (cache.size > CACHED_USERS) cache.delete(cache.keys().next().value as string);
    return entry;
  }

  let load: LoadConnection | undefined;
  const connections: UserConnections = {
    policy,
    useSaved(loader) {
      load = loader;
    },
    async providerFor(userId, use) {
      const { provider, uses } = await resolve(userId);
      return uses.has(use) ? provider : undefined;
    },
    async usesOf(userId) {
      return (await resolve(userId)).uses;
    },
    async test(connection) {
      const url = checkBaseUrl(connection.baseUrl ?? OPENAI_BASE_URL, policy);
      const model = connection.model ?? openAiConfigSchema.shape.chatModel.parse(undefined);
      try {
        // A clear message for a private address typed outside development; the connection is checked again when it connects.
        if (!policy.allowPrivateAddresses) await publicAddressesOf(url.hostname);
        const client = new OpenAI({
          baseURL: url.toString().replace(/\/$/, ""),
          apiKey: connection.apiKey,
          adminAPIKey: null,
          organization: null,
          project: null,
          webhookSecret: null,
          logLevel: "off",
          timeout: TEST_TIMEOUT_MS,
          maxRetries: 0,
          ...(policy.allowPrivateAddresses ? {} : { fetch: publicOnlyFetch() }),
        });
        const started = performance.now();
        const completion = await client.chat.completions.create({
          model,
          messages: [{ role: "user", content: "Say hello in five words or fewer." }],
          [maxTokensFieldFor(url)]: 40,
        });
        return {
          answer: completion.choices[0]?.message.content ?? "",
          model: completion.model || model,
          latencyMs: Math.round(performance.now() - started),
        };
      } catch (error) {
        if (error instanceof PrivateAddressError)
          throw new DomainError(
            "INVALID_INPUT",
            `${url.host} is on a private network; this server connects only to public addresses.`,
          );
        throw connectionError(error, url.host, model);
      }
    },
  };

  const routed: AiProvider & { [ROUTING]: UserConnections } = {
    [ROUTING]: connections,
    get name() {
      return current().name;
    },
    get offline() {
      return current().offline;
    },
    chat: (request, options) => current().chat(request, options),
    chatStream: (request, options) => current().chatStream(request, options),
    structured: (request, schema, options) => current().structured(request, schema, options),
    // One embedding model for every vector in the database, so always the server's.
    embed: (texts, options) => base.embed(texts, options),
    image: {
      submit: (request, options) => current().image.submit(request, options),
      // A job is polled with the key that submitted it: poll within the same caller's context.
      status: (jobId, options) => current().image.status(jobId, options),
      cancel: (jobId, options) => current().image.cancel?.(jobId, options) ?? Promise.resolve({ cancelled: false }),
    },
    describeImage: (request, options) => current().describeImage(request, options),
    transcribe: (request, options) => base.transcribe(request, options),
  };
  return routed;
}
