/**
 * A WordPress article's Markdown as the HTML WordPress stores: rendered by `marked` (CommonMark + GFM)
 * and then sanitised by `sanitize-html` with an allow-list, because Markdown lets raw HTML through and
 * the text may come from a model or a paste: no <script>, <style>, <iframe>, event handler or
 * javascript: link reaches the site, whatever the Markdown held. Server-only (sanitize-html is Node's).
 */
import { Marked } from "marked";
import sanitizeHtml from "sanitize-html";

const marked = new Marked({ gfm: true, breaks: false, async: false });

const ALLOWED: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, "img", "del", "input"],
  allowedAttributes: {
    a: ["href", "title"],
    img: ["src", "alt", "title", "width", "height"],
    code: ["class"],
    ol: ["start"],
    th: ["align"],
    td: ["align"],
    // GFM task lists: a disabled checkbox.
    input: [
      { name: "type", values: ["checkbox"] },
      { name: "disabled", values: ["", "disabled"] },
      { name: "checked", values: ["", "checked"] },
    ],
  },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesByTag: { img: ["http", "https"] },
  allowedClasses: { code: [/^language-[\w-]+$/] },
  // Dropped with their contents, not unwrapped into visible text.
  nonTextTags: ["script", "style", "textarea", "option", "noscript", "iframe", "object", "embed"],
};

/** Markdown → sanitised HTML for a WordPress post's content. */
export function markdownToHtml(markdown: string): string {
  const html = marked.parse(markdown.replace(/\r\n?/g, "\n")) as string;
  return sanitizeHtml(html, ALLOWED).trim();
}
