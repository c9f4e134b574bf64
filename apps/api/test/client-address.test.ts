/**
 * The client address behind a trusted proxy (TRUST_PROXY=true): the proxy appends the address it saw
 * to X-Forwarded-For, after whatever the client wrote there itself. Per-address limits (sign-in, sign-up,
 * reset requests, calls in flight) must count by the proxy's entry, or a client writing a new address on
 * each request is never limited.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

describe("client address behind a trusted proxy", () => {
  it("is the entry the proxy appended, not one the client wrote", async () => {
    const proxySaw = "10.61.0.7";
    const statuses: number[] = [];
    // Reset requests are limited to 20 an hour per address.
    for (let i = 0; i < 21; i++) {
      const res = await h.app.request("/trpc/auth.requestPasswordReset", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          origin: "http://app.test",
          "x-forwarded-for": `203.0.113.${i}, ${proxySaw}`,
        },
        body: JSON.stringify({ email: h.uniqueEmail("spoof") }),
      });
      await res.text(); // an answer holds its caller's in-flight slot until it is read
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(200));
    expect(statuses[20]).toBe(429);
  });
});
