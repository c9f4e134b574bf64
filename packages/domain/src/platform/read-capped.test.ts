import { describe, expect, it } from "vitest";
import { readCapped } from "./read-capped.ts";

/** A body of `chunks` pieces of `size` bytes, with no length, that records whether it was cancelled. */
function streamed(chunks: number, size: number) {
  let sent = 0;
  const state = { cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ >= chunks) controller.close();
      else controller.enqueue(new Uint8Array(size).fill(sent));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { response: new Response(body), state };
}

describe("readCapped", () => {
  it("joins a body within the cap", async () => {
    const { response } = streamed(3, 4);
    expect([...(await readCapped(response, 12, () => new Error("too large")))]).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
  });

  it("refuses a body past the cap without reading it to the end, and cancels it", async () => {
    const { response, state } = streamed(1_000_000, 1024);
    await expect(readCapped(response, 10 * 1024, () => new Error("too large"))).rejects.toThrow("too large");
    expect(state.cancelled).toBe(true);
  });

  it("reads no body as empty", async () => {
    expect((await readCapped(new Response(null), 10, () => new Error("too large"))).byteLength).toBe(0);
  });
});
