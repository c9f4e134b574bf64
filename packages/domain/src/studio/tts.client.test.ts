/** The text-to-speech adapter over real HTTP against the local sandbox: audio, voices, and each failure. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../platform/errors.ts";
import { sandboxDurationMs, startTtsSandbox, type TtsSandbox } from "./testing/index.ts";
import { createTtsClient } from "./tts.client.ts";

let sandbox: TtsSandbox;
const settings = { stability: 0.5, similarity_boost: 0.75, style: 0 };

beforeAll(async () => {
  sandbox = await startTtsSandbox({ keys: ["server-key"] });
});
afterAll(() => sandbox.stop());
afterEach(() => {
  sandbox.setDelay(0);
  sandbox.padAudio(0);
  sandbox.failNext(0);
});

/** Duration of a PCM WAV from its header: data bytes / byte rate. */
function wavDurationMs(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe("RIFF");
  expect(new TextDecoder().decode(bytes.subarray(8, 12))).toBe("WAVE");
  const byteRate = view.getUint32(28, true);
  const dataBytes = view.getUint32(40, true);
  expect(dataBytes).toBe(bytes.byteLength - 44);
  return (dataBytes / byteRate) * 1000;
}

async function domainError(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("tts client", () => {
  it("speaks: real WAV audio whose length follows the text, the key sent as xi-api-key", async () => {
    const client = createTtsClient({ baseUrl: sandbox.url, apiKey: "server-key" });
    const short = await client.speak({ voiceId: "sandbox-rachel", text: "Hello there.", settings });
    const long = await client.speak({
      voiceId: "sandbox-rachel",
      text: "Hello there. This sentence is quite a lot longer than the first one, so it takes longer to say.",
      settings,
    });
    expect(short.contentType).toBe("audio/wav");
    expect(short.sandbox).toBe(true);
    expect(wavDurationMs(short.bytes)).toBeCloseTo(sandboxDurationMs("Hello there."), -1);
    expect(wavDurationMs(long.bytes)).toBeGreaterThan(wavDurationMs(short.bytes) * 3);
    const last = sandbox.requests.at(-1);
    expect(last?.apiKey).toBe("server-key");
    expect(last?.path).toBe("/v1/text-to-speech/sandbox-rachel");
    expect(last?.body?.voice_settings).toEqual(settings);
    expect(last?.body?.model_id).toBe("eleven_multilingual_v2");
  });

  it("lists the voices", async () => {
    const { voices, sandbox: stand_in } = await createTtsClient({ baseUrl: sandbox.url, apiKey: "server-key" }).voices();
    expect(stand_in).toBe(true);
    expect(voices.length).toBeGreaterThanOrEqual(3);
    expect(voices[0]).toMatchObject({ voiceId: "sandbox-rachel", name: expect.stringContaining("Rachel") });
  });

  it("a wrong key is a clear error naming where to fix it (and is not retried)", async () => {
    const before = sandbox.requests.length;
    const user = await domainError(
      createTtsClient({ baseUrl: sandbox.url, apiKey: "wrong", keyOwner: "user" }).speak({
        voiceId: "sandbox-adam",
        text: "Hi",
        settings,
      }),
    );
    expect(user.code).toBe("PRECONDITION_FAILED");
    expect(user.message).toMatch(/refused the API key \(401\).*ElevenLabs key/);
    expect(sandbox.requests.length).toBe(before + 1);
    const server = await domainError(createTtsClient({ baseUrl: sandbox.url }).voices());
    expect(server.message).toMatch(/TTS_API_KEY/);
  });

  it("an unknown voice is invalid input", async () => {
    const error = await domainError(
      createTtsClient({ baseUrl: sandbox.url, apiKey: "server-key" }).speak({ voiceId: "nobody", text: "Hi", settings }),
    );
    expect(error.code).toBe("INVALID_INPUT");
  });

  it("a service that does not answer in time times out after its retries", async () => {
    sandbox.setDelay(1_000);
    const started = Date.now();
    const error = await domainError(
      createTtsClient({ baseUrl: sandbox.url, apiKey: "server-key", timeoutMs: 150, maxRetries: 1, baseDelayMs: 10 }).speak({
        voiceId: "sandbox-adam",
        text: "Hi",
        settings,
      }),
    );
    expect(error.code).toBe("UPSTREAM_TIMEOUT");
    expect(Date.now() - started).toBeLessThan(900);
  });

  it("a failing service is retried, and succeeds when it comes back", async () => {
    sandbox.failNext(1, 503);
    const audio = await createTtsClient({ baseUrl: sandbox.url, apiKey: "server-key", baseDelayMs: 10 }).speak({
      voiceId: "sandbox-bella",
      text: "Back again",
      settings,
    });
    expect(audio.bytes.byteLength).toBeGreaterThan(44);
  });

  it("an answer over the cap is refused while it is read (no declared length to trust)", async () => {
    sandbox.padAudio(512 * 1024);
    const error = await domainError(
      createTtsClient({ baseUrl: sandbox.url, apiKey: "server-key", maxAudioBytes: 256 * 1024 }).speak({
        voiceId: "sandbox-josh",
        text: "Hi",
        settings,
      }),
    );
    expect(error.code).toBe("UPSTREAM_FAILED");
    expect(error.message).toMatch(/larger than 256 KiB/);
  });
});
