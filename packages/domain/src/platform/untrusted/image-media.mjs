/**
 * Parser (runs in an untrusted-parse worker, see untrusted.ts): an uploaded photo made safe to serve,
 * with `sharp` (libvips). The pixels are decoded once under `limitInputPixels` (a small file claiming
 * a huge canvas is refused before its pixels are allocated), turned upright by the EXIF orientation
 * (`rotate()`), and re-encoded without any metadata (sharp keeps none unless asked: EXIF with its GPS,
 * XMP, IPTC and comments are all dropped; the ICC profile is converted to sRGB). A thumbnail is made
 * from the same upright image. Animated images keep their first frame.
 * @param {{ bytes: Uint8Array; maxPixels: number; maxSide: number; thumbSide: number }} input
 */
import sharp from "sharp";

// One decode at a time per process and no cache: the process's memory cap is what bounds a hostile file.
sharp.concurrency(1);
sharp.cache(false);

export default async function imageMedia({ bytes, maxPixels, maxSide, thumbSide }) {
  const options = { limitInputPixels: maxPixels, failOn: "error", sequentialRead: true };
  let meta;
  try {
    // The header only (no pixel is decoded), so the size can be named; the decode below is capped.
    meta = await sharp(bytes, { ...options, limitInputPixels: false }).metadata();
  } catch {
    return { ok: false, reason: "This image could not be read (it may be damaged or cut short)" };
  }
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (!(w > 0 && h > 0)) return { ok: false, reason: "This image could not be read (it may be damaged or cut short)" };
  if (w > maxSide || h > maxSide || w * h > maxPixels)
    return {
      ok: false,
      reason: `This image is ${w.toLocaleString("en-US")} × ${h.toLocaleString("en-US")} pixels; the limit is ${Math.round(maxPixels / 1e6)} megapixels and ${maxSide.toLocaleString("en-US")} pixels per side`,
    };
  try {
    const upright = sharp(bytes, options).rotate();
    const jpeg = meta.format === "jpeg" || (meta.format !== "png" && meta.format !== "webp" && !meta.hasAlpha);
    const display = jpeg
      ? await upright.clone().jpeg({ quality: 90, mozjpeg: true }).toBuffer({ resolveWithObject: true })
      : meta.format === "webp"
        ? await upright.clone().webp({ quality: 90 }).toBuffer({ resolveWithObject: true })
        : await upright.clone().png({ compressionLevel: 8 }).toBuffer({ resolveWithObject: true });
    const thumbnail = await upright
      .clone()
      .resize({ width: thumbSide, height: thumbSide, fit: "inside", withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
    return {
      ok: true,
      value: {
        display: new Uint8Array(display.data),
        displayType: `image/${display.info.format}`,
        width: display.info.width,
        height: display.info.height,
        thumbnail: new Uint8Array(thumbnail.data),
        thumbnailType: "image/webp",
        thumbnailWidth: thumbnail.info.width,
        thumbnailHeight: thumbnail.info.height,
      },
    };
  } catch {
    return { ok: false, reason: "This image could not be read (it may be damaged or cut short)" };
  }
}
