/**
 * Image dimensions from headers: a GIF's frames may be larger than its logical screen, and browsers
 * (WebKit's and Gecko's GIF readers) grow the screen to the first frame's size, so the size to check is
 * the largest extent of screen and frames, not the screen alone.
 */
import { afterAll, describe, expect, it } from "vitest";
import { closeUntrustedPool } from "../platform/untrusted/untrusted.ts";
import { imageDimensions, sniff } from "./files.sniff.ts";

afterAll(() => closeUntrustedPool());

const u16 = (n: number) => [n & 0xff, n >> 8];

/** A GIF89a with a `screen` logical screen and one frame of `frame` at the origin (one tiny LZW block). */
function gif(screen: [number, number], frame: [number, number]): Uint8Array {
  return new Uint8Array([
    ...Buffer.from("GIF89a", "latin1"),
    ...u16(screen[0]),
    ...u16(screen[1]),
    0x80, // global color table of 2 entries
    0,
    0,
    ...[0, 0, 0, 255, 255, 255],
    // A graphic control extension (skipped over on the way to the frame).
    0x21,
    0xf9,
    4,
    0,
    0,
    0,
    0,
    0,
    0x2c,
    ...u16(0),
    ...u16(0),
    ...u16(frame[0]),
    ...u16(frame[1]),
    0,
    2, // LZW minimum code size
    2,
    0x4c,
    0x01, // one data sub-block
    0,
    0x3b,
  ]);
}

describe("GIF dimensions", () => {
  it("are the frame's when a frame is larger than the logical screen", async () => {
    const bomb = gif([1, 1], [20_000, 20_000]);
    expect(await imageDimensions(bomb)).toEqual({ width: 20_000, height: 20_000 });
    expect((await sniff(bomb)).dimensions).toEqual({ width: 20_000, height: 20_000 });
  });

  it("are the screen's for an ordinary GIF", async () => {
    expect(await imageDimensions(gif([64, 48], [64, 48]))).toEqual({ width: 64, height: 48 });
    expect(await imageDimensions(gif([64, 48], [10, 10]))).toEqual({ width: 64, height: 48 });
  });

  it("count what was read before damage", async () => {
    expect(await imageDimensions(gif([1, 1], [300, 200]).slice(0, -4))).toEqual({ width: 300, height: 200 });
  });
});
