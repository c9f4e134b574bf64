/** What the adapters that upload images (X, LinkedIn, WordPress) need from an attached image. */
import { PLATFORM_NAMES, PlatformError } from "./errors.ts";
import type { PlatformKind, PostMedia } from "./platform.types.ts";

export function mediaBytes(
  platform: PlatformKind,
  media: PostMedia,
): { bytes: Uint8Array; contentType: string; filename: string } {
  if (!media.bytes || !media.contentType) {
    throw new PlatformError("permanent", platform, `The image for ${PLATFORM_NAMES[platform]} could not be read.`);
  }
  const extension = media.contentType.split("/")[1] ?? "bin";
  return { bytes: media.bytes, contentType: media.contentType, filename: media.filename ?? `image.${extension}` };
}
