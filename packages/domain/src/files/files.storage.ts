/**
 * Where file bytes live. One small interface with two adapters: the local disk (the zero-configuration
 * default, under the data folder) and any S3-compatible object store (AWS S3, MinIO, R2, Garage...).
 * Keys are ours (`<purpose>/<user id>/<file id>`), never derived from client input, and are checked
 * for shape anyway so a bug can never turn one into a path outside the root.
 */
import { createReadStream } from "node:fs";
import { copyFile, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { z } from "zod";

export interface Storage {
  readonly kind: "local" | "s3";
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** Stores a local file's content under `key` (a streamed upload's spool file; it is left in place). */
  putFile(key: string, path: string, contentType: string): Promise<void>;
  /** The bytes, or null when there is no such object. */
  get(key: string): Promise<Uint8Array | null>;
  /**
   * Bytes `start`..`end` (inclusive; the caller keeps them inside the object's size), or null when there is
   * no such object: a video player's Range request reads the part it plays, not the whole file.
   */
  getRange(key: string, start: number, end: number): Promise<Uint8Array | null>;
  /** Idempotent: deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Every object (for the orphan sweep), in no particular order. */
  list(): AsyncIterable<StoredObject>;
}

export interface StoredObject {
  key: string;
  lastModified: Date;
}

const KEY = /^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/;

function checkKey(key: string): string {
  if (!KEY.test(key) || key.length > 300) throw new Error(`storage: invalid key ${JSON.stringify(key)}`);
  return key;
}

export class LocalDiskStorage implements Storage {
  readonly kind = "local";
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private pathOf(key: string): string {
    const path = resolve(join(this.root, checkKey(key)));
    if (!path.startsWith(this.root + sep)) throw new Error("storage: key escapes the root");
    return path;
  }

  async put(key: string, bytes: Uint8Array, _contentType?: string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    // Write aside, then rename: a reader never sees half a file, and a crash leaves only a temp file.
    const temp = `${path}.${process.pid}.${Date.now()}.part`;
    try {
      await writeFile(temp, bytes, { mode: 0o600 });
      await rename(temp, path);
    } finally {
      await rm(temp, { force: true });
    }
  }

  async putFile(key: string, source: string, _contentType?: string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const temp = `${path}.${process.pid}.${Date.now()}.part`;
    try {
      await copyFile(source, temp);
      await rename(temp, path);
    } finally {
      await rm(temp, { force: true });
    }
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  }

  async getRange(key: string, start: number, end: number): Promise<Uint8Array | null> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.pathOf(key), "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
    try {
      const out = new Uint8Array(end - start + 1);
      let filled = 0;
      // A read may return fewer bytes than asked: read until the range is full or the file ends.
      while (filled < out.byteLength) {
        const { bytesRead } = await handle.read(out, filled, out.byteLength - filled, start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return filled === out.byteLength ? out : out.subarray(0, filled);
    } finally {
      await handle.close();
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async *list(): AsyncIterable<StoredObject> {
    let entries: string[];
    try {
      entries = await readdir(this.root, { recursive: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    for (const entry of entries) {
      const key = relative(this.root, join(this.root, entry)).split(sep).join("/");
      if (!KEY.test(key)) continue; // folders' own names pass too; stat tells them apart
      const info = await stat(join(this.root, entry)).catch(() => null);
      if (info?.isFile()) yield { key, lastModified: info.mtime };
    }
  }
}

export interface S3StorageConfig {
  bucket: string;
  region: string;
  /** Omit for AWS itself; set for MinIO, R2, Garage and other S3-compatible servers. */
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Path-style URLs (`endpoint/bucket/key`), which most self-hosted servers need. */
  forcePathStyle?: boolean;
  /** Prepended to every key, to share a bucket. */
  prefix?: string;
}

export class S3Storage implements Storage {
  readonly kind = "s3";
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(config: S3StorageConfig) {
    this.bucket = config.bucket;
    this.prefix = config.prefix ? `${config.prefix.replace(/\/+$/, "")}/` : "";
    this.client = new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle ?? false,
      ...(config.accessKeyId && config.secretAccessKey
        ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } }
        : {}),
      // Uploads are small and retried by the user; three SDK attempts with backoff cover blips.
      maxAttempts: 3,
    });
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.prefix + checkKey(key),
        Body: bytes,
        ContentType: contentType,
        ContentLength: bytes.byteLength,
      }),
    );
  }

  async putFile(key: string, path: string, contentType: string): Promise<void> {
    const { size } = await stat(path);
    // Streamed from the spool file with its length known, so the object never sits whole in memory.
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.prefix + checkKey(key),
        Body: createReadStream(path),
        ContentType: contentType,
        ContentLength: size,
      }),
    );
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + checkKey(key) }));
      return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === "NoSuchKey") return null;
      throw error;
    }
  }

  async getRange(key: string, start: number, end: number): Promise<Uint8Array | null> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + checkKey(key), Range: `bytes=${start}-${end}` }),
      );
      return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === "NoSuchKey") return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + checkKey(key) }));
  }

  async *list(): AsyncIterable<StoredObject> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix || undefined, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        const key = object.Key?.slice(this.prefix.length);
        if (key && KEY.test(key)) yield { key, lastModified: object.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}

/** The environment variables for storage, merged into each app's env schema (this module never reads process.env). */
export const storageEnvSchema = z.object({
  /** `local` (default) or `s3`. */
  STORAGE_DRIVER: z.enum(["local", "s3"]).default("local"),
  /** The local driver's folder; `pnpm dev` points it at `.data/files`. */
  STORAGE_LOCAL_DIR: z.string().min(1).default(".data/files"),
  STORAGE_S3_ENDPOINT: z.url().optional(),
  STORAGE_S3_BUCKET: z.string().min(3).max(63).optional(),
  STORAGE_S3_REGION: z.string().min(1).default("us-east-1"),
  STORAGE_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  STORAGE_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  STORAGE_S3_FORCE_PATH_STYLE: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  STORAGE_S3_PREFIX: z.string().default(""),
});

export type StorageEnv = z.infer<typeof storageEnvSchema>;

export function createStorageFromEnv(env: StorageEnv): Storage {
  if (env.STORAGE_DRIVER === "local") return new LocalDiskStorage(env.STORAGE_LOCAL_DIR);
  if (!env.STORAGE_S3_BUCKET) throw new Error("STORAGE_DRIVER=s3 needs STORAGE_S3_BUCKET");
  if (!!env.STORAGE_S3_ACCESS_KEY_ID !== !!env.STORAGE_S3_SECRET_ACCESS_KEY) {
    throw new Error("Set both STORAGE_S3_ACCESS_KEY_ID and STORAGE_S3_SECRET_ACCESS_KEY, or neither (the SDK's default chain)");
  }
  return new S3Storage({
    bucket: env.STORAGE_S3_BUCKET,
    region: env.STORAGE_S3_REGION,
    forcePathStyle: env.STORAGE_S3_FORCE_PATH_STYLE,
    prefix: env.STORAGE_S3_PREFIX,
    ...(env.STORAGE_S3_ENDPOINT ? { endpoint: env.STORAGE_S3_ENDPOINT } : {}),
    ...(env.STORAGE_S3_ACCESS_KEY_ID ? { accessKeyId: env.STORAGE_S3_ACCESS_KEY_ID } : {}),
    ...(env.STORAGE_S3_SECRET_ACCESS_KEY ? { secretAccessKey: env.STORAGE_S3_SECRET_ACCESS_KEY } : {}),
  });
}
