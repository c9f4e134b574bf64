/**
 * The publishing pages' pure parts: post statuses and what can be done in each, the composer's model
 * (one shared text, per-channel variants, threads), its per-platform counts and checks (the same
 * validator the server runs), and how server validation issues map back onto the composer's fields.
 */
import { lengthOn, PLATFORM_LIMITS, PLATFORM_NAMES, type PlatformKind, validatePost } from "./publishing-rules.ts";

export type { PlatformKind };
export { PLATFORM_LIMITS, PLATFORM_NAMES };

export const OAUTH_PLATFORMS = ["x", "linkedin", "threads"] as const;
export type OAuthPlatform = (typeof OAUTH_PLATFORMS)[number];

export type PostStatus = "draft" | "pending" | "publishing" | "published" | "failed" | "cancelled" | "unknown";

export const STATUS_LABELS: Record<PostStatus, string> = {
  draft: "Draft",
  pending: "Scheduled",
  publishing: "Publishing…",
  published: "Published",
  failed: "Failed",
  cancelled: "Cancelled",
  unknown: "Checking with the platform",
};

export const STATUS_TONES: Record<PostStatus, "neutral" | "accent" | "success" | "danger" | "warning"> = {
  draft: "neutral",
  pending: "accent",
  publishing: "accent",
  published: "success",
  failed: "danger",
  cancelled: "neutral",
  unknown: "warning",
};

/** The queue's statuses (upcoming or in flight) and the history's (settled). */
export const QUEUE_STATUSES: PostStatus[] = ["draft", "pending", "publishing", "unknown"];
export const HISTORY_STATUSES: PostStatus[] = ["published", "failed", "cancelled"];

/** Statuses that change on their own: while any post shows one, the page polls. */
export const isInFlight = (status: PostStatus) => status === "pending" || status === "publishing" || status === "unknown";
export const canEdit = (status: PostStatus) => status === "draft" || status === "pending";
/** A failed post can be dropped too (or retried). */
export const canCancel = (status: PostStatus) => canEdit(status) || status === "failed";
export const canPublishNow = canEdit;
export const canRetry = (status: PostStatus) => status === "failed";

/** How often the queue re-reads while something is due or publishing. */
export function queuePollInterval(posts: readonly { status: PostStatus; scheduledAt: string | null }[], now = Date.now()) {
  if (posts.some((p) => p.status === "publishing" || p.status === "unknown")) return 1_000;
  const due = posts
    .filter((p) => p.status === "pending" && p.scheduledAt)
    .map((p) => new Date(p.scheduledAt as string).getTime() - now);
  if (due.length === 0) return false;
  // Close to a post's time, often enough to see it flip within a second or two; otherwise relaxed.
  return Math.min(...due) < 90_000 ? 1_000 : 15_000;
}

// ---------- Composer ----------

export interface ComposerChannel {
  connectionId: string;
  platform: PlatformKind;
  /** A variant written for this channel; otherwise the channel follows the shared text. */
  custom: boolean;
  parts: string[];
  /** WordPress: the post title. */
  title: string;
}

export interface ComposerState {
  shared: string[];
  sharedTitle: string;
  channels: ComposerChannel[];
}

export const emptyComposer = (shared: string[] = [""]): ComposerState => ({
  shared: shared.length ? shared : [""],
  sharedTitle: "",
  channels: [],
});

export const takesThreads = (platform: PlatformKind) => PLATFORM_LIMITS[platform].maxParts > 1;

/** A thread post's "i/n " number at its start. */
const MARKER = /^(\d+)\/(\d+)(\s+)/;

/** The shared text as a channel gets it: thread platforms keep the parts, single-post ones join them. */
export function partsForPlatform(shared: readonly string[], platform: PlatformKind): string[] {
  if (takesThreads(platform)) return [...shared];
  // A numbered thread (the writer's "1/5 …") becomes one post: its numbers mean nothing there.
  const numbered = shared.length > 1 && shared.every((p) => MARKER.test(p));
  const joined = shared
    .map((p) => (numbered ? p.replace(MARKER, "") : p).trim())
    .filter(Boolean)
    .join("\n\n");
  return [joined];
}

/** What a channel will publish. */
export function channelParts(state: ComposerState, channel: ComposerChannel): string[] {
  return channel.custom ? channel.parts : partsForPlatform(state.shared, channel.platform);
}

export function channelTitle(state: ComposerState, channel: ComposerChannel): string {
  return channel.custom ? channel.title : state.sharedTitle;
}

export function toggleChannel(
  state: ComposerState,
  connection: { id: string; platform: PlatformKind },
  selected: boolean,
): ComposerState {
  const has = state.channels.some((c) => c.connectionId === connection.id);
  if (selected && !has) {
    const channel: ComposerChannel = {
      connectionId: connection.id,
      platform: connection.platform,
      custom: false,
      parts: [],
      title: "",
    };
    return { ...state, channels: [...state.channels, channel] };
  }
  if (!selected && has) return { ...state, channels: state.channels.filter((c) => c.connectionId !== connection.id) };
  return state;
}

/** Starts a variant for a channel from what it currently shows. */
export function customise(state: ComposerState, connectionId: string): ComposerState {
  return {
    ...state,
    channels: state.channels.map((c) =>
      c.connectionId === connectionId && !c.custom
        ? { ...c, custom: true, parts: channelParts(state, c), title: state.sharedTitle }
        : c,
    ),
  };
}

/** Drops a channel's variant: it follows the shared text again. */
export function resetToShared(state: ComposerState, connectionId: string): ComposerState {
  return {
    ...state,
    channels: state.channels.map((c) => (c.connectionId === connectionId ? { ...c, custom: false, parts: [], title: "" } : c)),
  };
}

export const setPart = (parts: readonly string[], index: number, text: string) => parts.map((p, i) => (i === index ? text : p));
export const insertPart = (parts: readonly string[], after: number) => [
  ...parts.slice(0, after + 1),
  "",
  ...parts.slice(after + 1),
];
export const removePart = (parts: readonly string[], index: number) =>
  parts.length <= 1 ? [""] : parts.filter((_, i) => i !== index);
export const movePart = (parts: readonly string[], index: number, by: -1 | 1) => {
  const target = index + by;
  if (target < 0 || target >= parts.length) return [...parts];
  const next = [...parts];
  [next[index], next[target]] = [next[target] as string, next[index] as string];
  return next;
};

/**
 * The "i/n" label shown before a thread post in the queue and history, or null when the post's own text
 * already starts with a number (the writer numbers X threads, and that text is what gets posted):
 * labelling it again showed "1/5 1/5 …".
 */
export function threadPartLabel(part: string, index: number, total: number): string | null {
  if (total < 2 || MARKER.test(part)) return null;
  return `${index + 1}/${total}`;
}

/**
 * Keeps "1/n" thread markers right after posts are added, removed or moved: when every non-empty post
 * starts with one (as the writer numbers an X thread), they are rewritten in order; otherwise nothing
 * changes. An added empty post gets its marker too.
 */
export function renumberThread(before: readonly string[], after: readonly string[]): string[] {
  const numbered = before.length > 1 && before.every((p) => MARKER.test(p));
  if (!numbered) return [...after];
  return after.map((part, i) => {
    const marker = `${i + 1}/${after.length}`;
    return MARKER.test(part) ? part.replace(MARKER, `${marker}$3`) : `${marker} ${part}`;
  });
}

/**
 * Splits a long text into thread posts within a platform's limit: at paragraph breaks, then sentence
 * ends, then spaces; a single word longer than the limit is cut.
 */
export function splitIntoThread(text: string, platform: PlatformKind): string[] {
  const limit = PLATFORM_LIMITS[platform].maxCharsPerPart;
  const fits = (s: string) => lengthOn(platform, s) <= limit;
  const pieces = text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .flatMap((paragraph) => (fits(paragraph) ? [paragraph] : paragraph.split(/(?<=[.!?])\s+/)))
    .flatMap((sentence) => (fits(sentence) ? [sentence] : sentence.split(/\s+/)))
    .flatMap((word) => (fits(word) ? [word] : cutToFit(word, fits)));
  const parts: string[] = [];
  for (const piece of pieces) {
    const last = parts.at(-1);
    const joined = last === undefined ? piece : `${last}${/\n/.test(piece) ? "\n\n" : " "}${piece}`;
    if (last !== undefined && fits(joined)) parts[parts.length - 1] = joined;
    else parts.push(piece);
  }
  return parts.length ? parts : [""];
}

function cutToFit(word: string, fits: (s: string) => boolean): string[] {
  const out: string[] = [];
  let current = "";
  for (const char of word) {
    if (!fits(current + char)) {
      out.push(current);
      current = "";
    }
    current += char;
  }
  if (current) out.push(current);
  return out;
}

export interface PartCount {
  length: number;
  limit: number;
  over: boolean;
  /** Close to the limit (90 %): the counter warns before it is too late. */
  near: boolean;
}

export function countPart(platform: PlatformKind, text: string): PartCount {
  const limit = PLATFORM_LIMITS[platform].maxCharsPerPart;
  const length = lengthOn(platform, text);
  return { length, limit, over: length > limit, near: length > limit * 0.9 };
}

export interface ChannelCheck {
  /** Per part index, its problems. */
  parts: Map<number, string[]>;
  /** Problems of the whole post (too many parts, missing title…). */
  post: string[];
  title: string[];
  ok: boolean;
}

/** The platform's own rules applied to what a channel will publish (the server applies the same). */
export function checkChannel(platform: PlatformKind, parts: readonly string[], title?: string): ChannelCheck {
  const issues = validatePost(platform, {
    parts: [...parts],
    ...(platform === "wordpress" ? { title: title ?? "" } : {}),
  });
  const check: ChannelCheck = { parts: new Map(), post: [], title: [], ok: issues.length === 0 };
  for (const issue of issues) {
    if (issue.field === "title") check.title.push(issue.message);
    else if (issue.part !== undefined) check.parts.set(issue.part, [...(check.parts.get(issue.part) ?? []), issue.message]);
    else check.post.push(issue.message);
  }
  return check;
}

export type When = { kind: "now" } | { kind: "draft" } | { kind: "at"; local: string; timeZone: string };

/** Where a server validation issue belongs in the composer, from its path (e.g. "channels.1.parts.0"). */
export type IssueTarget =
  | { kind: "part"; channel: number; part: number }
  | { kind: "channel"; channel: number }
  | { kind: "when" }
  | { kind: "form" };

export function issueTarget(path: string): IssueTarget {
  const part = /^channels\.(\d+)\.parts\.(\d+)/.exec(path);
  if (part) return { kind: "part", channel: Number(part[1]), part: Number(part[2]) };
  const channel = /^channels\.(\d+)/.exec(path);
  if (channel) return { kind: "channel", channel: Number(channel[1]) };
  if (/^when(\.|$)|^timeZone|^local|^scheduledAt/.test(path)) return { kind: "when" };
  return { kind: "form" };
}

export interface ServerProblems {
  /** connectionId → part index → messages */
  parts: Map<string, Map<number, string[]>>;
  channels: Map<string, string[]>;
  when: string | null;
  form: string | null;
}

export const noProblems = (): ServerProblems => ({ parts: new Map(), channels: new Map(), when: null, form: null });

/**
 * Places the server's issues (`{ path, message }`, channels by their index in the request) next to
 * their fields; without issues, the error's message goes under the schedule when it is about the time,
 * above the buttons otherwise.
 */
export function placeIssues(
  issues: readonly { path: string; message: string }[],
  channelIds: readonly string[],
  message: string,
): ServerProblems {
  const problems = noProblems();
  const rest: string[] = [];
  for (const issue of issues) {
    const target = issueTarget(issue.path);
    const channelId = target.kind === "part" || target.kind === "channel" ? channelIds[target.channel] : undefined;
    if (target.kind === "part" && channelId) {
      const byPart = problems.parts.get(channelId) ?? new Map<number, string[]>();
      byPart.set(target.part, [...(byPart.get(target.part) ?? []), issue.message]);
      problems.parts.set(channelId, byPart);
    } else if (target.kind === "channel" && channelId) {
      problems.channels.set(channelId, [...(problems.channels.get(channelId) ?? []), issue.message]);
    } else if (target.kind === "when") problems.when = issue.message;
    else rest.push(issue.message);
  }
  if (issues.length === 0) {
    if (/\b(time|past|future|schedul)/i.test(message) && !/connect/i.test(message)) problems.when = message;
    else rest.push(message);
  }
  problems.form = rest.length ? rest.join(" ") : null;
  return problems;
}

/** The text a writer output puts in the composer: its thread posts, or its content as one part. */
export function partsFromWriterOutput(current: { content: string; parts: string[] | null }): string[] {
  return current.parts?.length ? [...current.parts] : [current.content];
}

/** "@name", or the display name when a platform has no handle. */
export const handleOf = (connection: { username: string | null; displayName: string | null }) =>
  connection.username ? `@${connection.username.replace(/^@/, "")}` : (connection.displayName ?? "");

/** A short excerpt of a post for lists and calendar cells. */
export function excerpt(parts: readonly string[], max = 80): string {
  const text = (parts[0] ?? "").replace(/\s+/g, " ").trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
