import { describe, expect, it } from "vitest";
import { fetchWithRetry, type RetryDeps, retryAfterMs } from "./http-retry.ts";

const policy = { service: "test API", timeoutMs: 1000, maxRetries: 3 };

/** A fetch that plays the given answers in order, and records the waits between them. */
function script(...answers: (number | [number, Record<string, string>] | Error)[]) {
  const sleeps: number[] = [];
  let calls = 0;
  const deps: RetryDeps = {
    random: () => 0,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    fetch: async () => {
      const answer = answers[Math.min(calls++, answers.length - 1)] as (typeof answers)[number];
      if (answer instanceof Error) throw answer;
      const [status, headers] = typeof answer === "number" ? [answer, {}] : answer;
      return new Response(status === 204 ? null : "{}", { status, headers });
    },
  };
  return { deps, sleeps, calls: () => calls };
}

describe("fetchWithRetry", () => {
  it("retries 5xx, 408 and connection errors with doubling backoff, then returns the answer", async () => {
    const { deps, sleeps, calls } = script(503, 408, new TypeError("fetch failed"), 200);
    const response = await fetchWithRetry("http://x/", {}, policy, deps);
    expect(response.status).toBe(200);
    expect(calls()).toBe(4);
    expect(sleeps).toEqual([500, 1000, 2000]);
  });

  it("honours retry-after-ms, then Retry-After seconds", async () => {
    const { deps, sleeps } = script([429, { "retry-after-ms": "250" }], [429, { "retry-after": "2" }], 200);
    await fetchWithRetry("http://x/", {}, policy, deps);
    expect(sleeps).toEqual([250, 2000]);
  });

  it("returns other statuses to the caller without retrying", async () => {
    const { deps, calls } = script(404);
    expect((await fetchWithRetry("http://x/", {}, policy, deps)).status).toBe(404);
    expect(calls()).toBe(1);
  });

  it("gives up after maxRetries with a DomainError that names the service and status", async () => {
    const { deps, calls } = script(502);
    await expect(fetchWithRetry("http://x/", {}, policy, deps)).rejects.toMatchObject({
      code: "UPSTREAM_FAILED",
      message: "The test API failed (502) after 4 attempts.",
    });
    expect(calls()).toBe(4);
    const refused = script(new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } }));
    await expect(fetchWithRetry("http://x/", {}, { ...policy, maxRetries: 0 }, refused.deps)).rejects.toMatchObject({
      message: "Could not reach the test API (1 attempt): ECONNREFUSED.",
    });
  });

  it("does not wait when the server asks for longer than maxRetryAfterMs: RATE_LIMITED right away", async () => {
    const { deps, calls } = script([429, { "retry-after": "120" }]);
    await expect(fetchWithRetry("http://x/", {}, policy, deps)).rejects.toMatchObject({
      code: "RATE_LIMITED",
      details: { retryAfterSeconds: 120 },
    });
    expect(calls()).toBe(1);
  });

  it("times each attempt out and reports UPSTREAM_TIMEOUT", async () => {
    let calls = 0;
    const hang: typeof fetch = (_url, init) =>
      new Promise((_, reject) => {
        calls++;
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      });
    await expect(
      fetchWithRetry("http://x/", {}, { ...policy, timeoutMs: 50, maxRetries: 1 }, { fetch: hang, sleep: async () => {} }),
    ).rejects.toMatchObject({
      code: "UPSTREAM_TIMEOUT",
      message: "The test API did not answer within 50 ms (2 attempts).",
    });
    expect(calls).toBe(2);
  });

  it("stops at once when the caller aborts, with the caller's reason", async () => {
    const controller = new AbortController();
    const { deps, calls } = script(503);
    deps.sleep = async () => controller.abort(new Error("user left"));
    await expect(fetchWithRetry("http://x/", { signal: controller.signal }, policy, deps)).rejects.toThrow("user left");
    expect(calls()).toBe(1);
  });

  it("reads Retry-After as an HTTP date too", () => {
    const at = new Date(Date.now() + 10_000).toUTCString();
    expect(retryAfterMs(new Headers({ "retry-after": at }))).toBeGreaterThan(8000);
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });
});
