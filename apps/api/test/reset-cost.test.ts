/**
 * A password reset with a made-up link costs no password hash: the call is public and unthrottled, so
 * batches of bogus resets would otherwise queue argon2 hashes (each ~19 MB and tens of ms of one of
 * libuv's four threads) ahead of every other user's sign-in.
 */
import { hashPassword } from "@inkwell/domain/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const cpuMs = async (work: () => Promise<unknown>) => {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
};

describe("password reset with a made-up link", () => {
  it("is refused without hashing the new password", async () => {
    const calls = 20;
    // What `calls` hashes cost on this machine (threads included, as process CPU time).
    const hashes = await cpuMs(() =>
      Promise.all(Array.from({ length: calls }, (_, i) => hashPassword(`calibration passphrase ${i}`))),
    );
    const resets = await cpuMs(() =>
      Promise.all(
        Array.from({ length: calls }, (_, i) =>
          h
            .anon(`10.71.0.${i}`)
            .auth.resetPassword({
              token: `made-up-token-${i}-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`,
              password: `a brand new passphrase ${i}`,
            })
            .then(
              () => "accepted",
              (error: { code?: string }) => error.code,
            ),
        ),
      ).then((outcomes) => expect(outcomes).toEqual(Array(calls).fill("BAD_REQUEST"))),
    );
    console.info(`${calls} hashes: ${hashes.toFixed(0)} ms CPU; ${calls} bogus resets: ${resets.toFixed(0)} ms CPU`);
    expect(resets).toBeLessThan(hashes / 2);
  });
});
