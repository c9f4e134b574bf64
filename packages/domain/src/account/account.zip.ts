/**
 * A zip built entry by entry with fflate's streaming `Zip` and written as it is produced to a spool
 * file on local disk (hashed on the way), which storage then streams from (`Storage.putFile`). Memory
 * holds one of the user's files at a time, never the whole zip: an account with gigabytes of photos
 * and audio would otherwise take the worker down. Media that is already compressed (images, audio,
 * PDF) is stored as is.
 */
import { createHash } from "node:crypto";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Zip, ZipDeflate, ZipPassThrough } from "fflate";

export interface SpooledZip {
  /** The zip on local disk; remove it with `ZipBuilder.dispose` once stored. */
  path: string;
  byteSize: number;
  sha256: string;
}

export class ZipBuilder {
  private size = 0;
  private readonly zip: Zip;
  private readonly done: Promise<void>;
  private readonly names = new Set<string>();
  private readonly hash = createHash("sha256");
  private readonly dir = mkdtempSync(join(tmpdir(), "inkwell-export-"));
  readonly path = join(this.dir, "export.zip");
  private fd: number | null = openSync(this.path, "w", 0o600);
  private failure: Error | null = null;

  constructor() {
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    this.done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Synchronous writes: fflate calls back synchronously, and a blocking write keeps nothing queued.
    this.zip = new Zip((error, data, final) => {
      if (error || this.failure) return reject(error ?? this.failure ?? new Error("zip failed"));
      try {
        if (this.fd === null) throw new Error("zip: written after dispose");
        let offset = 0;
        while (offset < data.byteLength) offset += writeSync(this.fd, data, offset);
        this.hash.update(data);
        this.size += data.byteLength;
      } catch (e) {
        this.failure = e as Error;
        return reject(this.failure);
      }
      if (final) resolve();
    });
    // finish() awaits it; an early failure must not be an unhandled rejection meanwhile.
    this.done.catch(() => undefined);
  }

  /** Bytes written to the spool file so far. */
  get written(): number {
    return this.size;
  }

  add(name: string, bytes: Uint8Array, compress: boolean): void {
    if (this.failure) throw this.failure;
    if (this.names.has(name)) throw new Error(`zip: duplicate entry ${name}`);
    this.names.add(name);
    const entry = compress ? new ZipDeflate(name, { level: 6 }) : new ZipPassThrough(name);
    this.zip.add(entry);
    entry.push(bytes, true);
    if (this.failure) throw this.failure;
  }

  addJson(name: string, value: unknown): void {
    this.add(name, new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`), true);
  }

  async finish(): Promise<SpooledZip> {
    this.zip.end();
    await this.done;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    return { path: this.path, byteSize: this.size, sha256: this.hash.digest("hex") };
  }

  /** Removes the spool file (always call it: after storing, or on failure). */
  dispose(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
