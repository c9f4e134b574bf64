/**
 * The text-to-speech adapter, shaped like ElevenLabs' API (the service the seed uses for persona voices):
 *
 *   POST {base}/v1/text-to-speech/{voice_id}   body { text, model_id, voice_settings } → audio bytes
 *   GET  {base}/v1/voices                      → { voices: [{ voice_id, name, category, labels }] }
 *
 * authenticated by the `xi-api-key` header. By default (`TTS_API_URL` unset) it talks to the local
 * sandbox (`studio/testing/tts-sandbox.ts`) that `pnpm dev` starts, which answers real WAV audio. A
 * user's saved `elevenlabs` key replaces the server's for their calls (personas.service.ts).
 *
 * Every attempt has a deadline (which also bounds reading the body); connection errors, timeouts, 429
 * and 5xx are retried with backoff, like ai/providers/http-retry.ts (not importable from here: it is the
 * AI module's inside). The audio is read with a byte cap, so a service answering without end (or lying
 * about its length) is refused before it fills memory. Failures are DomainErrors the caller can show.
 */
import { z } from "zod";
import { DomainError } from "../platform/errors.ts";
import { readCapped } from "../platform/read-capped.ts";

/** Where `pnpm dev` runs the sandbox (scripts/dev.ts). */
export const DEFAULT_TTS_URL = "http://127.0.0.1:4031";
/** ElevenLabs' multilingual model: what the sandbox ignores and the real service speaks with. */
export const TTS_MODEL_ID = "eleven_multilingual_v2";
/** About ten minutes of MP3 at 128 kbit/s; a spoken preview or a read-aloud post is far below. */
export const MAX_AUDIO_BYTES = 10 * 1024 * 1024;
const MAX_VOICES_BYTES = 1024 * 1024;
const SERVICE = "text-to-speech service";

export const ttsEnvSchema = z.object({
  TTS_API_URL: z.url().default(DEFAULT_TTS_URL),
  TTS_API_KEY: z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim() : undefined)),
});
export type TtsEnv = z.infer<typeof ttsEnvSchema>;

/** What the API and worker need to speak: the service, the server's key, and whether it is the sandbox. */
export interface TtsRuntime {
  baseUrl: string;
  apiKey?: string | undefined;
  /** The local stand-in: its audio is a placeholder tone (the persona page labels it). */
  sandbox: boolean;
  /** Per attempt; 30 s by default (a long text takes the real service a while). */
  timeoutMs?: number;
  maxRetries?: number;
  maxAudioBytes?: number;
}

export function ttsRuntimeFromEnv(env: TtsEnv): TtsRuntime {
  return { baseUrl: env.TTS_API_URL, apiKey: env.TTS_API_KEY, sandbox: env.TTS_API_URL === DEFAULT_TTS_URL };
}

export interface VoiceSettingsWire {
  stability: number;
  similarity_boost: number;
  style: number;
}

export interface TtsVoice {
  voiceId: string;
  name: string;
  category: string | null;
  description: string | null;
}

export interface SpokenAudio {
  bytes: Uint8Array;
  contentType: string;
  latencyMs: number;
  /** The service said it is a stand-in (SANDBOX_HEADER): its audio is a placeholder. */
  sandbox: boolean;
}

/** Sent by the local sandbox on every answer, so whatever address it runs at, its audio is labelled. */
export const SANDBOX_HEADER = "x-tts-sandbox";

export interface TtsClient {
  speak(input: { voiceId: string; text: string; settings: VoiceSettingsWire; modelId?: string }): Promise<SpokenAudio>;
  voices(): Promise<{ voices: TtsVoice[]; sandbox: boolean }>;
}

export interface TtsClientOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  /** Whose key this is: a refused user key says where to fix it. */
  keyOwner?: "server" | "user";
  timeoutMs?: number;
  maxRetries?: number;
  baseDelayMs?: number;
  maxAudioBytes?: number;
  fetch?: typeof fetch;
}

const voicesBody = z.object({
  voices: z
    .array(
      z.object({
        voice_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
        name: z.string().min(1).max(120),
        category: z.string().max(60).nullish(),
        description: z.string().max(500).nullish(),
        labels: z.record(z.string(), z.string().max(200)).nullish(),
      }),
    )
    .max(1000),
});

const AUDIO_TYPES = new Set(["audio/mpeg", "audio/mp3", "audio/wav", "audio/x-wav", "audio/wave", "audio/ogg", "audio/webm"]);

export function createTtsClient(options: TtsClientOptions): TtsClient {
  const base = options.baseUrl.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxRetries = options.maxRetries ?? 2;
  const maxAudioBytes = options.maxAudioBytes ?? MAX_AUDIO_BYTES;
  const doFetch = options.fetch ?? fetch;
  const keyHelp =
    options.keyOwner === "user"
      ? "Check the ElevenLabs key saved in Settings → API keys (or remove it to use ours)."
      : "The server's TTS_API_KEY is wrong or missing.";

  /** One request with retries; the body is read within the same attempt's deadline. */
  async function call<T>(path: string, init: RequestInit, read: (response: Response) => Promise<T>): Promise<T> {
    const attempts = `${maxRetries + 1} attempt${maxRetries ? "s" : ""}`;
    for (let attempt = 0; ; attempt++) {
      const signal = AbortSignal.timeout(timeoutMs);
      let failure: DomainError;
      try {
        const response = await doFetch(`${base}${path}`, {
          ...init,
          headers: { ...(init.headers as Record<string, string>), ...(options.apiKey ? { "xi-api-key": options.apiKey } : {}) },
          signal,
          redirect: "error",
        });
        if (response.status === 401 || response.status === 403) {
          await response.body?.cancel().catch(() => undefined);
          throw new DomainError("PRECONDITION_FAILED", `The ${SERVICE} refused the API key (${response.status}). ${keyHelp}`);
        }
        if (response.status === 404) {
          await response.body?.cancel().catch(() => undefined);
          throw new DomainError("INVALID_INPUT", `The ${SERVICE} has no such voice; choose another one.`, { field: "voiceId" });
        }
        if (response.status === 408 || response.status === 429 || response.status >= 500) {
          await response.body?.cancel().catch(() => undefined);
          failure =
            response.status === 429
              ? new DomainError("RATE_LIMITED", `The ${SERVICE} is busy (429); try again in a minute.`, { retryAfterSeconds: 60 })
              : new DomainError("UPSTREAM_FAILED", `The ${SERVICE} failed (${response.status}) after ${attempts}.`);
        } else if (!response.ok) {
          await response.body?.cancel().catch(() => undefined);
          throw new DomainError("UPSTREAM_FAILED", `The ${SERVICE} refused the request (${response.status}).`);
        } else {
          return await read(response);
        }
      } catch (error) {
        if (error instanceof DomainError) throw error;
        failure = signal.aborted
          ? new DomainError("UPSTREAM_TIMEOUT", `The ${SERVICE} did not answer within ${timeoutMs} ms (${attempts}).`)
          : new DomainError("UPSTREAM_FAILED", `Could not reach the ${SERVICE} (${attempts}).`);
      }
      if (attempt >= maxRetries) throw failure;
      const backoff = Math.min((options.baseDelayMs ?? 500) * 2 ** attempt, 8000) * (1 - Math.random() * 0.25);
      await new Promise((resolve) => setTimeout(resolve, backoff));
    }
  }

  return {
    async speak(input) {
      const started = performance.now();
      return call(
        `/v1/text-to-speech/${encodeURIComponent(input.voiceId)}`,
        {
          method: "POST",
          headers: { "content-type": "application/json", accept: "audio/mpeg, audio/wav;q=0.9" },
          body: JSON.stringify({ text: input.text, model_id: input.modelId ?? TTS_MODEL_ID, voice_settings: input.settings }),
        },
        async (response) => {
          const contentType = (response.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
          if (!AUDIO_TYPES.has(contentType)) {
            await response.body?.cancel().catch(() => undefined);
            throw new DomainError(
              "UPSTREAM_FAILED",
              `The ${SERVICE} answered something that is not audio (${contentType || "no type"}).`,
            );
          }
          const declared = Number(response.headers.get("content-length") ?? 0);
          if (declared > maxAudioBytes) {
            await response.body?.cancel().catch(() => undefined);
            throw tooLarge(maxAudioBytes);
          }
          const bytes = await readCapped(response, maxAudioBytes, () => tooLarge(maxAudioBytes));
          if (bytes.byteLength === 0) throw new DomainError("UPSTREAM_FAILED", `The ${SERVICE} answered no audio.`);
          return {
            bytes,
            contentType: contentType === "audio/mp3" ? "audio/mpeg" : contentType,
            latencyMs: performance.now() - started,
            sandbox: response.headers.get(SANDBOX_HEADER) === "1",
          };
        },
      );
    },
    async voices() {
      return call("/v1/voices", { method: "GET", headers: { accept: "application/json" } }, async (response) => {
        const bytes = await readCapped(response, MAX_VOICES_BYTES, () => tooLarge(MAX_VOICES_BYTES));
        let body: unknown = null;
        try {
          body = JSON.parse(new TextDecoder().decode(bytes));
        } catch {
          // Refused just below like any other unreadable answer.
        }
        const parsed = voicesBody.safeParse(body);
        if (!parsed.success) throw new DomainError("UPSTREAM_FAILED", `The ${SERVICE} sent an unreadable voice list.`);
        return {
          voices: parsed.data.voices.map((v) => ({
            voiceId: v.voice_id,
            name: v.name,
            category: v.category ?? null,
            description: v.description ?? v.labels?.description ?? null,
          })),
          sandbox: response.headers.get(SANDBOX_HEADER) === "1",
        };
      });
    },
  };
}

const tooLarge = (max: number) =>
  new DomainError("UPSTREAM_FAILED", `The ${SERVICE}'s answer is larger than ${Math.round(max / 1024)} KiB; it was refused.`);

/** A client for one call: the user's own key when they saved one, the server's otherwise. */
export function ttsClientFor(runtime: TtsRuntime, userKey: string | undefined): TtsClient {
  return createTtsClient({
    baseUrl: runtime.baseUrl,
    apiKey: userKey ?? runtime.apiKey,
    keyOwner: userKey ? "user" : "server",
    ...(runtime.timeoutMs !== undefined && { timeoutMs: runtime.timeoutMs }),
    ...(runtime.maxRetries !== undefined && { maxRetries: runtime.maxRetries }),
    ...(runtime.maxAudioBytes !== undefined && { maxAudioBytes: runtime.maxAudioBytes }),
  });
}
