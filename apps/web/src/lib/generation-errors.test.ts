import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { describeGenerationError, parseCreditNumbers } from "./generation-errors.ts";

/** An error as the client receives it from the API's error formatter (apps/api/src/trpc/init.ts). */
function apiError(
  code: string,
  httpStatus: number,
  message: string,
  extra: { domainCode?: string; retryAfterSeconds?: number } = {},
) {
  return TRPCClientError.from({
    error: {
      message,
      code: -32000,
      data: {
        code,
        httpStatus,
        path: "writer.generate",
        issues: null,
        domainCode: extra.domainCode ?? null,
        retryAfterSeconds: extra.retryAfterSeconds ?? null,
      },
    },
  });
}

describe("describeGenerationError", () => {
  it("reads needed and available credits from an insufficient-credits error", () => {
    const error = apiError(
      "PAYMENT_REQUIRED",
      402,
      "This needs 1,020 credits and you have 5 available. Add credits or wait for your monthly grant.",
      { domainCode: "INSUFFICIENT_CREDITS" },
    );
    expect(describeGenerationError(error)).toMatchObject({ kind: "insufficient-credits", needed: 1020, available: 5 });
  });

  it("still recognises insufficient credits when the message has no numbers", () => {
    const error = apiError("PAYMENT_REQUIRED", 402, "Not enough credits.", { domainCode: "INSUFFICIENT_CREDITS" });
    expect(describeGenerationError(error)).toMatchObject({ kind: "insufficient-credits", needed: null, available: null });
  });

  it("carries the wait of a rate limit", () => {
    const error = apiError("TOO_MANY_REQUESTS", 429, "You're generating faster than allowed. Try again in 12 s.", {
      domainCode: "RATE_LIMITED",
      retryAfterSeconds: 12,
    });
    expect(describeGenerationError(error)).toMatchObject({ kind: "rate-limited", retryAfterSeconds: 12 });
  });

  it("tells provider failures from provider timeouts", () => {
    expect(describeGenerationError(apiError("BAD_GATEWAY", 502, "x", { domainCode: "UPSTREAM_FAILED" })).kind).toBe(
      "upstream-failed",
    );
    expect(describeGenerationError(apiError("GATEWAY_TIMEOUT", 504, "x", { domainCode: "UPSTREAM_TIMEOUT" })).kind).toBe(
      "upstream-timeout",
    );
  });

  it("falls back to the general description for anything else", () => {
    expect(describeGenerationError(apiError("CONFLICT", 409, "Already running."))).toEqual({
      kind: "other",
      message: "Already running.",
      code: "CONFLICT",
    });
    expect(describeGenerationError(new Error("boom")).kind).toBe("other");
  });
});

describe("parseCreditNumbers", () => {
  it("handles singular, thousands separators and missing numbers", () => {
    expect(parseCreditNumbers("This needs 1 credit and you have 0 available.")).toEqual({ needed: 1, available: 0 });
    expect(parseCreditNumbers("This needs 20,000 credits and you have 19,999 available.")).toEqual({
      needed: 20000,
      available: 19999,
    });
    expect(parseCreditNumbers("Something else")).toEqual({ needed: null, available: null });
  });
});
