/**
 * A local stand-in for the text-to-speech service (the `tts` adapter's ElevenLabs-shaped API), so
 * `pnpm dev` and the tests speak over real HTTP without the network. One server on 127.0.0.1:
 *
 *   POST /v1/text-to-speech/:voice_id   { text, model_id, voice_settings } → audio/wav
 *   GET  /v1/voices                     { voices: [{ voice_id, name, category, labels }] }
 *
 * The audio is a real, playable WAV (16 kHz mono PCM) whose length follows the text (about 65 ms per
 * character, 0.6 s to 90 s), a hum whose pitch is the voice's and whose loudness moves word by word,
 * so a player shows a duration that makes sense and the browser test can check it. WAV rather than the
 * real service's MP3: an MP3 needs an encoder, a WAV is a 44-byte header on samples, and every browser
 * and our audio parser read both.
 *
 * Every answer carries `x-tts-sandbox: 1`, so the app labels its audio wherever the sandbox runs.
 * Every call needs an `xi-api-key` header (401 without one); with `keys` set, only those keys are
 * accepted. `setDelay` slows answers (timeouts), `failNext` answers errors, `padAudio` appends bytes
 * to the next answers (oversize), and every request is logged with its key.
 */
import { createServer } from "node:http";
import { SANDBOX_HEADER } from "../tts.client.ts";

export const SANDBOX_VOICES = [
  { voice_id: "sandbox-rachel", name: "Rachel (sandbox)", category: "premade", pitch: 220, description: "Calm, warm" },
  { voice_id: "sandbox-adam", name: "Adam (sandbox)", category: "premade", pitch: 120, description: "Deep, steady" },
  { voice_id: "sandbox-bella", name: "Bella (sandbox)", category: "premade", pitch: 260, description: "Bright, quick" },
  { voice_id: "sandbox-josh", name: "Josh (sandbox)", category: "premade", pitch: 150, description: "Young, friendly" },
] as const;

const SAMPLE_RATE = 16_000;
const MS_PER_CHAR = 65;
const MIN_MS = 600;
const MAX_MS = 90_000;

export interface TtsSandboxRequest {
  method: string;
  path: string;
  apiKey: string | null;
  body: { text?: string; model_id?: string; voice_settings?: Record<string, number> } | null;
}

export interface TtsSandbox {
  url: string;
  requests: TtsSandboxRequest[];
  setDelay(ms: number): void;
  failNext(count: number, status?: number): void;
  /** Appends `bytes` of padding to every audio answer (with no content-length), until set back to 0. */
  padAudio(bytes: number): void;
  stop(): Promise<void>;
}

export interface TtsSandboxOptions {
  port?: number;
  /** Accepted keys; any non-empty key when unset. */
  keys?: string[];
}

/** How long the sandbox speaks `text` for, in milliseconds. */
export function sandboxDurationMs(text: string): number {
  return Math.min(MAX_MS, Math.max(MIN_MS, text.length * MS_PER_CHAR));
}

/** A 16-bit mono PCM WAV of `text` spoken as a hum at `pitch` Hz (a syllable-like swell per word). */
export function sandboxWav(text: string, pitch: number): Buffer {
  const samples = Math.round((sandboxDurationMs(text) / 1000) * SAMPLE_RATE);
  const data = Buffer.alloc(samples * 2);
  const words = Math.max(1, text.split(/\s+/).filter(Boolean).length);
  const perWord = samples / words;
  for (let i = 0; i < samples; i++) {
    const t = i / SAMPLE_RATE;
    const inWord = (i % perWord) / perWord;
    const envelope = Math.sin(Math.PI * inWord) ** 2;
    const wobble = 1 + 0.04 * Math.sin(2 * Math.PI * 5 * t);
    const v = envelope * (0.6 * Math.sin(2 * Math.PI * pitch * wobble * t) + 0.25 * Math.sin(4 * Math.PI * pitch * t));
    data.writeInt16LE(Math.round(v * 9000), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(36 + data.length, 4);
  header.write("WAVE", 8, "ascii");
  header.write("fmt ", 12, "ascii");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(SAMPLE_RATE, 24);
  header.writeUInt32LE(SAMPLE_RATE * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36, "ascii");
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

const SPEAK = /^\/v1\/text-to-speech\/([A-Za-z0-9_-]{1,64})$/;
const MAX_BODY = 256 * 1024;

export async function startTtsSandbox(options: TtsSandboxOptions = {}): Promise<TtsSandbox> {
  const requests: TtsSandboxRequest[] = [];
  let delayMs = 0;
  let padding = 0;
  let failures = { count: 0, status: 503 };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://sandbox").pathname;
    const header = req.headers["xi-api-key"];
    const apiKey = typeof header === "string" && header ? header : null;
    const json = (status: number, body: unknown) => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(status, { "content-type": "application/json", [SANDBOX_HEADER]: "1" });
      res.end(JSON.stringify(body));
    };
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on("end", () => {
      let body: TtsSandboxRequest["body"] = null;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : null;
      } catch {
        body = null;
      }
      requests.push({ method: req.method ?? "GET", path, apiKey, body });
      setTimeout(() => {
        if (!apiKey || (options.keys && !options.keys.includes(apiKey)))
          return json(401, { detail: { status: "invalid_api_key", message: "Invalid API key" } });
        if (failures.count > 0) {
          failures = { ...failures, count: failures.count - 1 };
          return json(failures.status, { detail: { status: "injected_failure" } });
        }
        if (req.method === "GET" && path === "/v1/voices") {
          return json(200, {
            voices: SANDBOX_VOICES.map((v) => ({
              voice_id: v.voice_id,
              name: v.name,
              category: v.category,
              labels: { description: v.description },
            })),
          });
        }
        const voiceId = req.method === "POST" ? SPEAK.exec(path)?.[1] : undefined;
        if (!voiceId) return json(404, { detail: { status: "not_found" } });
        const voice = SANDBOX_VOICES.find((v) => v.voice_id === voiceId);
        if (!voice) return json(404, { detail: { status: "voice_not_found", message: "A voice with this id was not found." } });
        const text = typeof body?.text === "string" ? body.text : "";
        if (!text.trim() || text.length > 10_000)
          return json(422, { detail: { status: "invalid_text", message: "text must be 1 to 10,000 characters" } });
        const wav = sandboxWav(text, voice.pitch);
        if (padding > 0) {
          // Chunked, with no declared length: the client has to count what arrives.
          res.writeHead(200, { "content-type": "audio/wav", [SANDBOX_HEADER]: "1" });
          res.write(wav);
          res.end(Buffer.alloc(padding));
          return;
        }
        res.writeHead(200, { "content-type": "audio/wav", "content-length": wav.length, [SANDBOX_HEADER]: "1" });
        res.end(wav);
      }, delayMs);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("tts sandbox: no address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    setDelay(ms) {
      delayMs = ms;
    },
    failNext(count, status = 503) {
      failures = { count, status };
    },
    padAudio(bytes) {
      padding = bytes;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
