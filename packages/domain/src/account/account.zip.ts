/**
 * A zip built entry by entry with fflate's streaming `Zip`: each entry is compressed as it is added
 * and only the compressed output is kept, so the user's files are never all held uncompressed at once.
 * Media that is already compressed (images, audio, PDF) is stored as is.
 */
import { Zip, ZipDeflate, ZipPassThrough } from "fflate";

export class ZipBuilder {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  private readonly zip: Zip;
  private readonly done: Promise<void>;
  private readonly names = new Set<string>();

  constructor() {
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    this.done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.zip = new Zip((error, data, final) => {
      if (error) return reject(error);
      this.chunks.push(data);
      this.size += data.byteLength;
      if (final) resolve();
    });
  }

  add(name: string, bytes: Uint8Array, compress: boolean): void {
    if (this.names.has(name)) throw new Error(`zip: duplicate entry ${name}`);
    this.names.add(name);
    const entry = compress ? new ZipDeflate(name, { level: 6 }) : new ZipPassThrough(name);
    this.zip.add(entry);
    entry.push(bytes, true);
  }

  addJson(name: string, value: unknown): void {
    this.add(name, new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`), true);
  }

  async finish(): Promise<Uint8Array> {
    this.zip.end();
    await this.done;
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out;
  }
}
