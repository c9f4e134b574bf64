/**
 * The offline provider's reading of a voice guide: a `<voice> … </voice>` block in the instructions
 * (written by the voice module's `guidanceFor`) with a line
 *   "Voice tuning (0–10, 5 = as in the samples): formality 8/10, energy 2/10, …, storytelling 5/10."
 * The block is taken out of the brief before format, style and limits are read (the writer's own
 * words, quoted inside it, must not change the format), and each axis away from 5 changes the draft in
 * a way the voice fingerprint can measure:
 * - sentence length: ≥ 7 joins neighbouring points into longer sentences, ≤ 3 splits at commas and "and";
 * - emoji: ≥ 6 adds emoji to a growing share of sentences, ≤ 3 removes every emoji;
 * - formality: ≥ 7 writes contractions out ("do not"), ≤ 3 contracts and opens relaxed;
 * - energy: ≥ 7 ends a growing share of sentences with "!", ≤ 3 has none;
 * - warmth: ≥ 7 adds a line to the reader ("you"), ≤ 3 drops lines addressed to them (if others remain);
 * - confidence: ≥ 7 drops hedges, ≤ 3 hedges some points ("Perhaps");
 * - curiosity: ≥ 7 adds a question, ≤ 3 turns a closing question into a statement;
 * - complexity: ≥ 7 swaps everyday words for longer ones, ≤ 3 the reverse;
 * - storytelling: ≥ 7 adds a first-person anecdote.
 * Without a block nothing changes.
 */
import { fnv1a } from "./fnv1a.ts";

export const VOICE_AXIS_NAMES = {
  formality: "formality",
  energy: "energy",
  warmth: "warmth",
  confidence: "confidence",
  curiosity: "curiosity",
  complexity: "complexity",
  "sentence length": "sentenceLength",
  emoji: "emoji",
  storytelling: "storytelling",
} as const;

export type VoiceDirectives = Partial<Record<(typeof VOICE_AXIS_NAMES)[keyof typeof VOICE_AXIS_NAMES], number>>;

const BLOCK = /<voice\b[^>]*>([\s\S]*?)<\/voice>/gi;

/** The tuning in the voice block(s), and the instructions without them. */
export function readVoice(instructions: string): { voice: VoiceDirectives | null; rest: string } {
  let voice: VoiceDirectives | null = null;
  const rest = instructions.replace(BLOCK, (_, inner: string) => {
    const line = /voice tuning[^:\n]*:([^\n]*)/i.exec(inner);
    if (line) {
      voice ??= {};
      for (const m of (line[1] as string).matchAll(/([a-z][a-z ]*?)\s+(\d{1,2})\s*\/\s*10/gi)) {
        const axis = VOICE_AXIS_NAMES[(m[1] as string).trim().toLowerCase() as keyof typeof VOICE_AXIS_NAMES];
        if (axis) voice[axis] = Math.max(0, Math.min(10, Number(m[2])));
      }
    }
    return "";
  });
  return { voice, rest };
}

/** What the offline writer drafts: one opening line, the points, a closing line. */
export interface VoiceDraft {
  hook: string;
  points: { text: string; cited: boolean }[];
  closing: string;
}

const EMOJI = ["✨", "🚀", "💡", "🔥", "🙌", "🎯", "✅", "👉"];
const EMOJI_PATTERN = /\s*\p{Extended_Pictographic}\uFE0F?/gu;

const EXPAND: Record<string, string> = {
  "don't": "do not",
  "doesn't": "does not",
  "didn't": "did not",
  "isn't": "is not",
  "aren't": "are not",
  "wasn't": "was not",
  "can't": "cannot",
  "won't": "will not",
  "it's": "it is",
  "that's": "that is",
  "here's": "here is",
  "there's": "there is",
  "what's": "what is",
  "let's": "let us",
  "you're": "you are",
  "you've": "you have",
  "you'll": "you will",
  "we're": "we are",
  "they're": "they are",
  "i'm": "I am",
  "i've": "I have",
  "i'll": "I will",
};
const CONTRACT = Object.fromEntries(Object.entries(EXPAND).map(([short, long]) => [long.toLowerCase(), short]));

const LONGER: Record<string, string> = {
  use: "utilise",
  help: "facilitate",
  start: "commence",
  show: "demonstrate",
  simple: "straightforward",
  clear: "unambiguous",
  wins: "prevails",
  beats: "outperforms",
  focus: "concentrate",
  idea: "proposition",
  adjust: "recalibrate",
  look: "examination",
  view: "perspective",
  next: "subsequent",
  apply: "implement",
  core: "fundamental",
  turns: "transforms",
  done: "executed",
  stop: "discontinue",
  talk: "deliberate",
};
const SHORTER = Object.fromEntries(Object.entries(LONGER).map(([short, long]) => [long, short]));

const HEDGES = /\b(?:maybe|perhaps|probably|possibly|honestly|i think|i guess|sort of|kind of)\b,?\s*/gi;

const matchCase = (original: string, replacement: string) =>
  /^[A-Z]/.test(original) ? replacement.charAt(0).toUpperCase() + replacement.slice(1) : replacement;

function replaceWords(text: string, map: Record<string, string>): string {
  const keys = Object.keys(map).sort((a, b) => b.length - a.length);
  if (!keys.length) return text;
  const pattern = new RegExp(`\\b(?:${keys.map((k) => k.replace(/[.*+?^${}()|[\]\\']/g, "\\$&")).join("|")})\\b`, "gi");
  return text.replace(pattern, (found) => matchCase(found, map[found.toLowerCase()] ?? found));
}

const lowerFirst = (s: string) => (/^I\b/.test(s) ? s : s.charAt(0).toLowerCase() + s.slice(1));
const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const withoutEnd = (s: string) => s.replace(/[.!?]+(\s*\[\d+\])?[.!?]*$/, "$1");

/** Several sentences into one. */
function join(parts: string[]): string {
  const body = parts.map((p, i) => (i === 0 ? withoutEnd(p) : lowerFirst(withoutEnd(p))));
  const last = body.length - 1;
  const end = /\?\s*(?:\[\d+\])?$/.test(parts[last] ?? "") ? "?" : ".";
  return `${body.slice(0, last).join(", ")}, and ${body[last]}${end}`;
}

/** One sentence into short ones, at commas and "and". */
function split(sentence: string): string {
  const pieces = sentence
    .split(/,\s+|\s+and\s+/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (pieces.length < 2) return sentence;
  return pieces.map((p, i) => (i === pieces.length - 1 ? upperFirst(p) : `${upperFirst(withoutEnd(p))}.`)).join(" ");
}

/** Share of sentences (0..1) an axis at `level` should touch, 0 at 5 and below, 1 at 10. */
const share = (level: number) => Math.max(0, Math.min(1, (level - 5) / 5));
const every = (level: number) => Math.max(1, Math.round(1 / Math.max(0.01, share(level))));

export function applyVoice(d: VoiceDraft, v: VoiceDirectives | null, keyword: string): VoiceDraft {
  if (!v) return d;
  let { hook, closing } = d;
  let points = [...d.points];
  const at = (axis: keyof VoiceDirectives) => v[axis] ?? 5;

  // What is said: lines added or dropped.
  if (at("storytelling") >= 7)
    points.unshift({ text: `I learned this the hard way when I started with ${keyword}.`, cited: false });
  if (at("warmth") >= 7) points.push({ text: "You've got this, and you do not have to figure it out alone.", cited: false });
  if (at("warmth") <= 3) {
    const distant = (s: string) => !/\byou(?:r|rs|'re|'ve|'ll)?\b/i.test(s);
    if (points.some((p) => distant(p.text))) points = points.filter((p) => p.cited || distant(p.text));
    if (!distant(closing)) closing = "";
  }
  if (at("curiosity") >= 7) points.push({ text: `What would change if ${keyword} came first?`, cited: false });
  if (at("curiosity") <= 3 && closing.endsWith("?")) closing = "";
  if (at("formality") <= 3 && !/\w'\w/.test(hook)) hook = `Here's the thing: ${lowerFirst(hook)}`;

  // How long the sentences are.
  if (at("sentenceLength") >= 7) {
    const size = at("sentenceLength") >= 9 ? 3 : 2;
    const joined: VoiceDraft["points"] = [];
    for (let i = 0; i < points.length; i += size) {
      const group = points.slice(i, i + size);
      joined.push({
        text: group.length > 1 ? join(group.map((p) => p.text)) : (group[0]?.text ?? ""),
        cited: group.some((p) => p.cited),
      });
    }
    points = joined;
    if (closing && points.length) {
      const last = points.at(-1) as VoiceDraft["points"][number];
      points[points.length - 1] = { ...last, text: join([last.text, closing]) };
      closing = "";
    }
  } else if (at("sentenceLength") <= 3) {
    hook = split(hook);
    points = points.map((p) => ({ ...p, text: split(p.text) }));
    closing = split(closing);
  }

  // Word choice, sentence by sentence.
  const sentences = [hook, ...points.map((p) => p.text), closing];
  const out = sentences.map((s, i) => {
    if (!s) return s;
    let t = s;
    if (at("formality") >= 7) t = replaceWords(t, EXPAND);
    else if (at("formality") <= 3) t = replaceWords(t, CONTRACT);
    if (at("complexity") >= 7) t = replaceWords(t, LONGER);
    else if (at("complexity") <= 3) t = replaceWords(t, SHORTER);
    if (at("confidence") >= 7) t = upperFirst(t.replace(HEDGES, ""));
    else if (at("confidence") <= 3 && i > 0 && i % 2 === 1 && !t.endsWith("?")) t = `Perhaps ${lowerFirst(t)}`;
    if (at("energy") >= 7 && i % every(at("energy")) === 0) t = t.replace(/\.$/, "!");
    else if (at("energy") <= 3) t = t.replace(/!/g, ".");
    if (at("emoji") <= 3) t = t.replace(EMOJI_PATTERN, "");
    else if (at("emoji") >= 6 && i % every(at("emoji")) === 0) t = `${t} ${EMOJI[fnv1a(t) % EMOJI.length]}`;
    return t;
  });
  return {
    hook: out[0] as string,
    points: points.map((p, i) => ({ ...p, text: out[i + 1] as string })),
    closing: out.at(-1) as string,
  };
}
