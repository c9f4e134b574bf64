/**
 * What a post written in Markdown (the writer's output, the composer's text) becomes on a platform that
 * shows plain text (X, Threads, LinkedIn): parsed by `marked` (CommonMark + GFM) and rendered from its
 * tokens, so `## Heading` is a plain line, `**bold**` loses its asterisks, a link is "text (url)", list
 * items keep a "•" (numbered ones their number), a code block its code. Browser-safe (marked has no
 * Node dependency): the validator counts, and the composer previews, exactly the text that is sent.
 */
import { Lexer, type Token, type Tokens } from "marked";
import type { PlatformKind } from "./platform.types.ts";

const lexer = () => new Lexer({ gfm: true, breaks: false });

function inline(tokens: readonly Token[] | undefined): string {
  return (tokens ?? []).map(inlineToken).join("");
}

function inlineToken(token: Token): string {
  switch (token.type) {
    case "strong":
    case "em":
    case "del":
      return inline((token as Tokens.Strong).tokens);
    case "codespan":
      return (token as Tokens.Codespan).text;
    case "br":
      return "\n";
    case "link": {
      const link = token as Tokens.Link;
      const text = inline(link.tokens).trim();
      // An autolink or [url](url) is just the address; otherwise the words and, after them, where they point.
      return !text || text === link.href || link.href.startsWith("mailto:") ? text || link.href : `${text} (${link.href})`;
    }
    case "image":
      return (token as Tokens.Image).text;
    case "html":
      // Angle brackets in a post ("<in>", "a <b> c") are text to X and co.: kept as typed.
      return token.raw;
    case "text":
    case "escape":
      return "tokens" in token && token.tokens ? inline(token.tokens) : (token as Tokens.Text).text;
    default:
      return "raw" in token ? token.raw : "";
  }
}

function listText(list: Tokens.List, depth: number): string {
  const start = typeof list.start === "number" ? list.start : 1;
  return list.items
    .map((item, i) => {
      const bullet = list.ordered ? `${start + i}.` : "•";
      const indent = "  ".repeat(depth);
      const [first = "", ...rest] = item.tokens.map((t) =>
        t.type === "list" ? listText(t as Tokens.List, depth + 1) : block(t),
      );
      const task = item.task ? (item.checked ? "☑ " : "☐ ") : "";
      return [`${indent}${bullet} ${task}${first.trim()}`, ...rest.filter(Boolean)].join("\n");
    })
    .join("\n");
}

function block(token: Token): string {
  switch (token.type) {
    case "space":
    case "hr":
      return "";
    case "heading":
    case "paragraph":
      return inline((token as Tokens.Heading).tokens).trim();
    case "text":
      return inlineToken(token).trim();
    case "code":
      return (token as Tokens.Code).text;
    case "blockquote":
      return blocks((token as Tokens.Blockquote).tokens);
    case "list":
      return listText(token as Tokens.List, 0);
    case "table": {
      const table = token as Tokens.Table;
      const row = (cells: Tokens.TableCell[]) => cells.map((c) => inline(c.tokens).trim()).join(" | ");
      return [row(table.header), ...table.rows.map(row)].join("\n");
    }
    case "html":
      // Plain-text platforms show markup as text, never run it: kept as typed.
      return token.raw.trim();
    default:
      return "raw" in token ? token.raw.trim() : "";
  }
}

function blocks(tokens: readonly Token[]): string {
  return tokens
    .map(block)
    .filter((text) => text !== "")
    .join("\n\n");
}

/** Markdown as clean plain text: what X, Threads and LinkedIn show. */
export function markdownToText(markdown: string): string {
  return blocks(lexer().lex(markdown.replace(/\r\n?/g, "\n")));
}

/**
 * The text a part becomes on a platform: plain text for X, Threads and LinkedIn; WordPress gets the
 * Markdown itself (rendered to sanitised HTML by its adapter, on the server).
 */
export function publishedText(platform: PlatformKind, part: string): string {
  return platform === "wordpress" ? part : markdownToText(part);
}
