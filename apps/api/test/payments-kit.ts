/** Helpers of the payments tests that hold no state of the file: the hosted pay page, and waiting. */
import { expect, vi } from "vitest";

export const sessionIdOf = (url: string) => new URL(url).pathname.split("/").at(-1) as string;

/** Waits until `probe()` gives a value `ok` accepts (the webhook and the job are asynchronous); returns it. */
export function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, timeout = 15_000): Promise<T> {
  return vi.waitFor(
    async () => {
      const v = await probe();
      if (!ok(v)) throw new Error(`waiting for ${what}: ${JSON.stringify(v)}`);
      return v;
    },
    { timeout, interval: 100 },
  );
}

/** Opens the hosted page and submits the card form, as a browser would; returns the answer. */
export async function payOnPage(checkoutUrl: string, card: string) {
  const page = await fetch(checkoutUrl);
  expect(page.status).toBe(200);
  return fetch(checkoutUrl, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ card_number: card, card_expiry: "12 / 34", card_cvc: "123" }),
  });
}
