/**
 * One output's text as the platform will show it: a thread as numbered posts (each with its length
 * against X's limit), an article as rendered Markdown, a newsletter's subject apart from its body, a
 * post as plain text with its line breaks.
 */
import { readArticle, readNewsletter } from "@inkwell/domain/writer/schemas";
import { measure, splitPostNumber, type WriterFormat } from "../../lib/writer.ts";
import { Markdown } from "../chat/Markdown.tsx";
import { Tooltip } from "../ui/tooltip.tsx";
import w from "./writer.module.css";

export function OutputText({
  format,
  content,
  parts,
  onCopyPost,
}: {
  format: WriterFormat;
  content: string;
  parts: string[] | null;
  /** A thread post's own copy button (posting by hand goes one post at a time). */
  onCopyPost?: (post: string, number: string) => void;
}) {
  if (format === "x_thread") {
    const report = measure(format, content, parts);
    const posts = report.parts ?? [];
    return (
      <ol className={w.thread} aria-label="Thread posts">
        {posts.map((post, i) => {
          const { number, text } = splitPostNumber(post.text, i, posts.length);
          return (
            <li key={i} className={`${w.threadPost}${post.over ? " is-over" : ""}`}>
              <span className={w.threadNumber} aria-hidden="true">
                {number}
              </span>
              <p className={w.threadText}>
                <span className="visually-hidden">Post {number}: </span>
                {text}
              </p>
              <span className={w.threadFoot}>
                {onCopyPost && (
                  <button type="button" className="btn-link small" onClick={() => onCopyPost(post.text, number)}>
                    Copy<span className="visually-hidden"> post {number}</span>
                  </button>
                )}
                <Tooltip label="Characters as X counts them">
                  <span className={`${w.threadCount} small`}>
                    {post.count} / {report.max}
                  </span>
                </Tooltip>
              </span>
            </li>
          );
        })}
      </ol>
    );
  }
  if (format === "blog_article") {
    const { title, body } = readArticle(content);
    return (
      <div>
        {title && <p className={w.articleTitle}>{title}</p>}
        {/* Under the card's own heading (h3): the article's sections read as h4 and below. */}
        <Markdown text={body.replace(/^(#{1,4})(?=[ \t])/gm, "##$1")} />
      </div>
    );
  }
  if (format === "newsletter") {
    const { subject, body } = readNewsletter(content);
    return (
      <div>
        {subject && (
          <p className={w.newsletterSubject}>
            <span className="muted small">Subject</span> {subject}
          </p>
        )}
        <Markdown text={body} />
      </div>
    );
  }
  return <p className={w.plain}>{content}</p>;
}
