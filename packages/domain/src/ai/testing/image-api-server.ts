/**
 * A sandbox of the Higgsfield-style image API (see providers/image-api.ts): a submitted job is
 * "queued" on its first poll, "in_progress" until its pollsToComplete-th, then "completed" with
 * result URLs this server serves as PNGs (the offline renderer's), or "failed" / "nsfw" when injected.
 * Checks the bearer key, validates the body and honours Idempotency-Key like a careful real API.
 * Several accounts: `addKey` accepts another key, and a job is found only with the key that submitted it.
 */
import { renderPng } from "../providers/offline-image.ts";
import { type Sandbox, sendJson, startSandbox } from "./http-kit.ts";

export interface ImageApiSandbox extends Sandbox {
  apiKey: string;
  /** Accepts `key` as another account's: its jobs are its own (404 to any other key). */
  addKey(key: string): void;
  /** The next submitted job ends this way instead of completing. */
  setNextOutcome(outcome: "failed" | "nsfw"): void;
}

interface Job {
  request: { prompt: string; width: number; height: number; model?: string; seed?: number };
  outcome: "completed" | "failed" | "nsfw";
  polls: number;
  /** The bearer key that submitted it. */
  key: string;
}

const isSize = (n: unknown) => Number.isInteger(n) && (n as number) > 0 && (n as number) <= 4096;

export async function startImageApiSandbox(
  options: { apiKey?: string; pollsToComplete?: number } = {},
): Promise<ImageApiSandbox> {
  const apiKey = options.apiKey ?? "sandbox-image-key";
  const keys = new Set([apiKey]);
  const pollsToComplete = options.pollsToComplete ?? 3;
  const jobs = new Map<string, Job>();
  const byIdempotencyKey = new Map<string, string>();
  let nextOutcome: Job["outcome"] = "completed";

  const sandbox = await startSandbox(async (req, res, record) => {
    const file = /^\/files\/([\w-]+)\.png$/.exec(record.path);
    if (record.method === "GET" && file) {
      const job = jobs.get(file[1] as string);
      if (job?.outcome !== "completed") return sendJson(res, 404, { error: "no such file" });
      res.writeHead(200, { "content-type": "image/png" });
      return void res.end(renderPng(job.request));
    }
    const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (!key || !keys.has(key)) return sendJson(res, 401, { error: "invalid API key" });
    if (record.method === "POST" && record.path === "/v1/generations") {
      const body = record.body as Job["request"] | undefined;
      if (typeof body?.prompt !== "string" || !body.prompt || !isSize(body.width) || !isSize(body.height)) {
        return sendJson(res, 422, { error: "prompt, width and height (1-4096) are required" });
      }
      const idempotencyKey = req.headers["idempotency-key"];
      const repeated = typeof idempotencyKey === "string" ? byIdempotencyKey.get(`${key} ${idempotencyKey}`) : undefined;
      if (repeated) return sendJson(res, 200, { id: repeated });
      const id = `gen-${jobs.size + 1}`;
      jobs.set(id, { request: body, outcome: nextOutcome, polls: 0, key });
      nextOutcome = "completed";
      if (typeof idempotencyKey === "string") byIdempotencyKey.set(`${key} ${idempotencyKey}`, id);
      return sendJson(res, 200, { id });
    }
    const poll = /^\/v1\/generations\/([\w-]+)$/.exec(record.path);
    const job = poll && record.method === "GET" ? jobs.get(poll[1] as string) : undefined;
    if (!job || job.key !== key) return sendJson(res, 404, { error: "not found" });
    job.polls++;
    if (job.polls < pollsToComplete) {
      return sendJson(res, 200, { status: job.polls === 1 ? "queued" : "in_progress", result_urls: [], error: null });
    }
    const id = (poll as RegExpExecArray)[1] as string;
    if (job.outcome === "completed") {
      return sendJson(res, 200, { status: "completed", result_urls: [`${sandbox.url}/files/${id}.png`], error: null });
    }
    const error = job.outcome === "nsfw" ? "The prompt or result was flagged as NSFW." : "Generation failed in the sandbox.";
    return sendJson(res, 200, { status: job.outcome, result_urls: [], error });
  });

  return {
    ...sandbox,
    apiKey,
    addKey: (k) => void keys.add(k),
    setNextOutcome: (outcome) => {
      nextOutcome = outcome;
    },
  };
}
