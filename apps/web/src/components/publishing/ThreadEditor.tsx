/**
 * Edits the parts of a post: one text for single-post platforms, a thread of posts (add, remove, move)
 * where a platform takes threads. Each part shows its count against every platform it goes to (a
 * single-post platform that gets a thread joined into one post is counted once, below), and its
 * problems (the platform's rules checked here, and the server's answer) right under it.
 */
import { useId } from "react";
import {
  countPart,
  insertPart,
  movePart,
  PLATFORM_NAMES,
  type PlatformKind,
  partsForPlatform,
  removePart,
  renumberThread,
  setPart,
  splitIntoThread,
  takesThreads,
} from "../../lib/publishing.ts";
import styles from "./publishing.module.css";

export function ThreadEditor({
  parts,
  onChange,
  platforms,
  threaded,
  errors,
  label,
}: {
  parts: string[];
  onChange: (parts: string[]) => void;
  /** Platforms whose counts to show (a shared text goes to several). */
  platforms: PlatformKind[];
  /** Whether posts can be added (a thread). */
  threaded: boolean;
  /** Problems per part index. */
  errors: Map<number, string[]>;
  /** What the text is for, e.g. "Shared text" or "X variant". */
  label: string;
}) {
  const id = useId();
  const many = parts.length > 1;
  const allPlatforms = [...new Set(platforms)];
  // A single-post platform gets several parts joined into one post: it is counted once, below, not per part.
  const joined = many ? allPlatforms.filter((p) => !takesThreads(p)) : [];
  const countPlatforms = allPlatforms.filter((p) => !joined.includes(p));
  const threadPlatform = countPlatforms.find((p) => p === "x" || p === "threads");
  return (
    <fieldset className={styles.thread}>
      <legend className="visually-hidden">{label}</legend>
      {parts.map((part, index) => {
        const partLabel = many ? `Post ${index + 1} of ${parts.length}` : threaded ? "Post 1" : "Text";
        const fieldId = `${id}-part-${index}`;
        const problems = errors.get(index) ?? [];
        const counts = countPlatforms.map((platform) => ({ platform, ...countPart(platform, part) }));
        const tooLong = counts.some((c) => c.over);
        return (
          <div key={index} className={`${styles.part} field`} data-invalid={problems.length ? "" : undefined}>
            <div className={styles.partHeader}>
              <label htmlFor={fieldId}>
                {partLabel}
                <span className="visually-hidden"> — {label}</span>
              </label>
              <span className={styles.counts} id={`${fieldId}-count`}>
                {counts.map((c) => (
                  <span
                    key={c.platform}
                    className={`${styles.count}${c.over ? ` ${styles.countOver}` : c.near ? ` ${styles.countNear}` : ""}`}
                    title={`${PLATFORM_NAMES[c.platform]} counts ${c.length} of ${c.limit}`}
                  >
                    {countPlatforms.length > 1 && <span className={styles.countPlatform}>{PLATFORM_NAMES[c.platform]} </span>}
                    {c.length.toLocaleString()} / {c.limit.toLocaleString()}
                  </span>
                ))}
              </span>
            </div>
            <textarea
              id={fieldId}
              className="textarea"
              value={part}
              rows={many ? 3 : 6}
              onChange={(event) => onChange(setPart(parts, index, event.target.value))}
              aria-invalid={problems.length || tooLong ? true : undefined}
              aria-describedby={[problems.length ? `${fieldId}-error` : "", `${fieldId}-count`].filter(Boolean).join(" ")}
            />
            {problems.length > 0 && (
              <div className="field-error" id={`${fieldId}-error`}>
                {problems.map((message) => (
                  <p key={message}>
                    <span aria-hidden="true">⚠ </span>
                    {message}
                  </p>
                ))}
              </div>
            )}
            {threaded && (
              <div className={styles.partActions}>
                <button
                  type="button"
                  className="btn-link small"
                  onClick={() => onChange(renumberThread(parts, insertPart(parts, index)))}
                >
                  Add post after {index + 1}
                </button>
                {many && (
                  <>
                    <button
                      type="button"
                      className="btn-link small"
                      onClick={() => onChange(renumberThread(parts, removePart(parts, index)))}
                      aria-label={`Remove post ${index + 1}`}
                    >
                      Remove
                    </button>
                    {index > 0 && (
                      <button
                        type="button"
                        className="btn-link small"
                        onClick={() => onChange(renumberThread(parts, movePart(parts, index, -1)))}
                        aria-label={`Move post ${index + 1} up`}
                      >
                        Move up
                      </button>
                    )}
                  </>
                )}
                {threadPlatform && !many && countPart(threadPlatform, part).over && (
                  <button
                    type="button"
                    className="btn-link small"
                    onClick={() => onChange(splitIntoThread(part, threadPlatform))}
                  >
                    Split into a thread
                  </button>
                )}
              </div>
            )}
          </div>
        );
      })}
      {joined.map((platform) => {
        const count = countPart(platform, partsForPlatform(parts, platform)[0] ?? "");
        return (
          <p key={platform} className={`hint ${styles.joined}${count.over ? ` ${styles.countOver}` : ""}`}>
            {PLATFORM_NAMES[platform]} gets these {parts.length} posts as one: {count.length.toLocaleString()} /{" "}
            {count.limit.toLocaleString()}
          </p>
        );
      })}
    </fieldset>
  );
}
