/**
 * A parser for the facility's own tests (untrusted.test.ts): it misbehaves on request, the way a
 * hostile file makes a real parser misbehave.
 * @param {{ mode: "echo" | "spin" | "hog" | "buffers" | "sleep" | "refuse"; value?: string; ms?: number }} input
 */
export default async function testParser({ mode, value, ms }) {
  if (mode === "spin") for (;;);
  if (mode === "hog") {
    const keep = [];
    for (;;) keep.push(new Array(4e6).fill(keep.length));
  }
  // Memory outside V8's heap (what a parser inflates or decodes into), in one synchronous run.
  if (mode === "buffers") {
    const keep = [];
    for (let mb = 0; mb < 2048; mb += 16) keep.push(Buffer.alloc(16 * 1024 * 1024, mb));
    return { ok: true, value: { value: `held ${keep.length * 16} MB`, pid: process.pid } };
  }
  if (mode === "sleep") await new Promise((resolve) => setTimeout(resolve, ms));
  if (mode === "refuse") return { ok: false, reason: "This file says no" };
  return { ok: true, value: { value, pid: process.pid } };
}
