/**
 * A response body read whole, refused with `tooLarge()` as soon as it passes `max` bytes: a body with
 * no declared length (or a false one) would otherwise be buffered whole, however large, before any
 * check. The stream is cancelled when it is refused. Errors of the read itself (a timeout's abort, a
 * dropped connection) are thrown as they come, for the caller to name.
 */
export async function readCapped(response: Response, max: number, tooLarge: () => Error): Promise<Uint8Array> {
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}
