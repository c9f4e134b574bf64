/**
 * How a post will look on its platform: the account, each part of a thread below the previous one,
 * each with its count against the platform's limit, and the platform's objections. The text is
 * Markdown: shown as plain text for X, Threads and LinkedIn, rendered for WordPress, as each receives it.
 */
import { publishedText } from "@inkwell/domain/platforms/schemas";
import { type ChannelCheck, countPart, PLATFORM_NAMES } from "../../lib/publishing.ts";
import { Markdown } from "../chat/Markdown.tsx";
import { AccountIdentity, type AccountLike } from "./PublishingCommon.tsx";
import styles from "./publishing.module.css";

export function PostPreview({
  account,
  parts,
  title,
  check,
  images = [],
}: {
  account: AccountLike;
  parts: string[];
  title?: string;
  check: ChannelCheck;
  /** Attached to the first part. */
  images?: { fileId: string; url: string; filename: string }[];
}) {
  const platform = account.platform;
  const name = PLATFORM_NAMES[platform];
  return (
    <article
      className={styles.preview}
      data-platform={platform}
      aria-label={`${name} preview for ${account.displayName || account.username}`}
    >
      <header className={styles.previewHeader}>
        <AccountIdentity account={account} size={32} />
        <span className={`badge ${check.ok ? "badge-success" : "badge-danger"}`}>{check.ok ? "Ready" : "Needs changes"}</span>
      </header>
      {platform === "wordpress" && (
        <h3 className={styles.previewTitle}>{title?.trim() ? title : <span className="muted">Untitled post</span>}</h3>
      )}
      <ol className={styles.previewParts}>
        {parts.map((part, index) => {
          const count = countPart(platform, part);
          return (
            <li key={index} className={styles.previewPart} data-over={count.over ? "" : undefined}>
              {!part.trim() ? (
                <p className={styles.previewText}>
                  <span className="muted">Empty</span>
                </p>
              ) : platform === "wordpress" ? (
                // The article as WordPress shows it: the Markdown rendered (the server sends sanitised HTML).
                <div className={styles.previewArticle}>
                  <Markdown text={part} />
                </div>
              ) : (
                // Exactly the plain text the platform gets (headings as lines, no asterisks, links "text (url)").
                <p className={styles.previewText}>{publishedText(platform, part)}</p>
              )}
              {index === 0 &&
                images.map((image) => (
                  <img key={image.fileId} src={image.url} alt={image.filename} className={styles.mediaPreview} />
                ))}
              <p
                className={`${styles.previewCount} small${count.over ? ` ${styles.countOver}` : count.near ? ` ${styles.countNear}` : ""}`}
              >
                {parts.length > 1 && (
                  <span>
                    {index + 1}/{parts.length} ·{" "}
                  </span>
                )}
                {count.length.toLocaleString()} of {count.limit.toLocaleString()} characters
                {count.over && <strong> — {(count.length - count.limit).toLocaleString()} over</strong>}
              </p>
            </li>
          );
        })}
      </ol>
      {(check.post.length > 0 || check.title.length > 0 || check.parts.size > 0) && (
        <ul className={styles.previewIssues}>
          {[...check.title, ...check.post, ...[...check.parts.values()].flat()].map((message) => (
            <li key={message} className="error-text small">
              {message}
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}
