/**
 * A parser for the facility's own tests (untrusted.test.ts): it misbehaves on request, the way a
 * hostile file makes a real parser misbehave.
 * @param {{ mode: "echo" | "spin" | "hog" | "sleep" | "refuse"; value?: string; ms?: number }} input
 */
export default async function testParser({ mode, value, ms }) {
  if (mode === "spin") for (;;);
  if (mode === "hog") {
    const keep = [];
    for (;;) keep.push(new Array(4e6).fill(keep.length));
  }
  if (mode === "sleep") await new Promise((resolve) => setTimeout(resolve, ms));
  if (mode === "refuse") return { ok: false, reason: "This file says no" };
  return { ok: true, value: { value, pid: process.pid } };
}
