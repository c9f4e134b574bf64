/**
 * Per-platform limits and the one validator every adapter uses.
 *
 * X counts by twitter-text (platform/x-length.ts): Latin and common punctuation weigh 1, CJK and each
 * emoji sequence 2, and every URL (bare domains too) 23, against 280. Threads counts characters (500), LinkedIn
 * commentary 3,000, WordPress needs a title and content. Parts are Markdown: X, Threads and LinkedIn are
 * counted as the plain text they receive (markdown-text.ts).
 */
import { xLength } from "../platform/x-length.ts";
import { PLATFORM_NAMES } from "./errors.ts";
import { publishedText } from "./markdown-text.ts";
import type { PlatformKind, PlatformLimits, PublishRequest, ValidationIssue } from "./platform.types.ts";

export const PLATFORM_LIMITS: Record<PlatformKind, PlatformLimits> = {
  // One image per post everywhere for now: each image is one more request in the publish call, and
  // the publisher's claim lease is sized for at most three requests per part (posts.publisher.ts).
  x: { maxCharsPerPart: 280, maxParts: 25, maxMedia: 1, titleRequired: false },
  threads: { maxCharsPerPart: 500, maxParts: 25, maxMedia: 1, titleRequired: false },
  linkedin: { maxCharsPerPart: 3000, maxParts: 1, maxMedia: 1, titleRequired: false },
  wordpress: { maxCharsPerPart: 200_000, maxParts: 1, maxMedia: 1, titleRequired: true, maxTitleChars: 200 },
};

/** X's weighted length of a post (twitter-text; the same function the writer counts with). */
export const xWeightedLength = xLength;

/** Characters as a person counts them (code points). */
export const charLength = (text: string) => [...text].length;

/** The length of a part as the platform counts what it receives (plain text rendered from the Markdown). */
export function lengthOn(platform: PlatformKind, text: string): number {
  const sent = publishedText(platform, text);
  return platform === "x" ? xWeightedLength(sent) : charLength(sent);
}

export function validatePost(platform: PlatformKind, post: Pick<PublishRequest, "parts" | "title" | "media">): ValidationIssue[] {
  const limits = PLATFORM_LIMITS[platform];
  const name = PLATFORM_NAMES[platform];
  const issues: ValidationIssue[] = [];
  if (post.parts.length === 0) issues.push({ field: "parts", message: `A ${name} post needs some text.` });
  if (post.parts.length > limits.maxParts) {
    issues.push({
      field: "parts",
      message:
        limits.maxParts === 1
          ? `${name} takes a single post, not a thread of ${post.parts.length}.`
          : `A ${name} thread can have at most ${limits.maxParts} posts (this one has ${post.parts.length}).`,
    });
  }
  post.parts.forEach((part, index) => {
    const label = post.parts.length > 1 ? `Post ${index + 1} of the thread` : "The post";
    if (!publishedText(platform, part).trim()) issues.push({ part: index, field: "parts", message: `${label} is empty.` });
    const length = lengthOn(platform, part);
    if (length > limits.maxCharsPerPart) {
      issues.push({
        part: index,
        field: "parts",
        message: `${label} is ${length} characters; ${name} allows ${limits.maxCharsPerPart}. Shorten it by ${length - limits.maxCharsPerPart}.`,
      });
    }
  });
  const media = post.media ?? [];
  if (media.length > limits.maxMedia) {
    issues.push({
      field: "media",
      message:
        limits.maxMedia === 0
          ? `Attaching images to ${name} posts is not supported yet.`
          : `${name} takes at most ${limits.maxMedia} image${limits.maxMedia === 1 ? "" : "s"} per post.`,
    });
  }
  for (const item of media) {
    if (item.url !== undefined && !/^https?:\/\//.test(item.url))
      issues.push({ field: "media", message: `Image ${item.url} needs a public http(s) address.` });
  }
  if (limits.titleRequired && !post.title?.trim()) issues.push({ field: "title", message: `A ${name} post needs a title.` });
  if (limits.maxTitleChars !== undefined && post.title && charLength(post.title) > limits.maxTitleChars) {
    issues.push({
      field: "title",
      message: `The title is ${charLength(post.title)} characters; keep it within ${limits.maxTitleChars}.`,
    });
  }
  return issues;
}
