/** Public API of the files module: uploads for the whole product, storage adapters and signed URLs. */

export { filesJobs, ORPHAN_AGE_MS, purgeOrphansJob, sweepUploadsJob, UNATTACHED_GRACE_MS } from "./files.jobs.ts";
export * from "./files.schemas.ts";
export type { FilesDeps, MediaFacts, PreparedFile, SignedRead, StoreInput } from "./files.service.ts";
export * as files from "./files.service.ts";
export { type SignatureCheck, signFile, verifyFileSignature } from "./files.signing.ts";
export { type ImageDimensions, imageDimensions, type Sniffed, sniff } from "./files.sniff.ts";
export {
  createStorageFromEnv,
  LocalDiskStorage,
  S3Storage,
  type S3StorageConfig,
  type Storage,
  type StorageEnv,
  type StoredObject,
  storageEnvSchema,
} from "./files.storage.ts";
export {
  prepareBytes,
  receiveUpload,
  THUMBNAIL_SIDE,
  thumbnailKeyOf,
  UPLOAD_IDLE_MS,
  type UploadInput,
  UploadLimiter,
  type UploadOutcome,
} from "./files.upload.ts";
