/**
 * The measurable part of a voice: features computed from text alone, deterministic and cheap, so the
 * same function describes a writer's samples and checks what a generation produced.
 *
 * - Sentences: split after . ! ? … and at line breaks, except a hard-wrapped line (the next one starts in
 *   lowercase); a sentence needs at least one word.
 * - Words: letters/digits with inner apostrophes; hashtags and @handles count as words.
 * - Sentence length: mean and standard deviation of words per sentence.
 * - Vocabulary: moving-average type/token ratio over 100-word windows (a plain ratio grows smaller the
 *   longer the text, which would make long samples look poorer), average word length, share of words
 *   with 7+ letters.
 * - Per 1,000 words: ! ? — (em dash, or a spaced double hyphen) ; … (or ...), emoji (pictographs),
 *   contractions (n't 're 've 'll 'd 'm, and 's after pronouns like it/that/there), first-person
 *   singular (I, me, my, mine, myself), second person (you, your, yours, yourself), hedges (maybe,
 *   perhaps, probably, might, I think, sort of, kind of …).
 * - Openings: the most frequent first word — or first two words when several sentences share them.
 * - Distinctive: frequent words outside everyday English filler, and frequent two-word phrases.
 */
import type { VoiceFingerprint } from "./voice.schemas.ts";

const WORD = /[#@]?[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;
const EMOJI = /\p{Extended_Pictographic}/gu;
const CONTRACTION = /^[\p{L}]+['’](?:t|re|ve|ll|d|m)$/iu;
const S_CONTRACTION = /^(?:it|that|there|here|what|who|where|he|she|let|how|when|everything|nothing|something)['’]s$/iu;
const FIRST_PERSON = new Set(["i", "me", "my", "mine", "myself", "i'm", "i've", "i'll", "i'd"]);
const SECOND_PERSON = new Set(["you", "your", "yours", "yourself", "yourselves", "you're", "you've", "you'll", "you'd"]);
const HEDGE_WORDS = new Set(["maybe", "perhaps", "probably", "possibly", "might", "somewhat", "arguably", "seemingly"]);
const HEDGE_PHRASES = ["i think", "i guess", "i suppose", "sort of", "kind of", "it seems", "i feel like"];

/** Everyday English words that say nothing about a writer's voice. */
export const COMMON_WORDS = new Set(
  (
    "a about above after again against all also am an and any are aren't as at be because been before being below " +
    "between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each few " +
    "for from further get gets got had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers " +
    "herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself just let's like make " +
    "me more most much mustn't my myself no nor not now of off on once one only or other ought our ours ourselves out " +
    "over own really same shan't she she'd she'll she's should shouldn't so some such than that that's the their " +
    "theirs them themselves then there there's these they they'd they'll they're they've thing things this those " +
    "through to too under until up us very was wasn't way we we'd we'll we're we've were weren't what what's when " +
    "when's where where's which while who who's whom why why's will with won't would wouldn't you you'd you'll " +
    "you're you've your yours yourself yourselves go going know new good time people even still want see back well"
  ).split(" "),
);

const round = (n: number, digits = 2) => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

export function wordsOf(text: string): string[] {
  return [...text.matchAll(WORD)].map((m) => m[0].toLowerCase().replace(/’/g, "'"));
}

/** Sentences of a text: split after terminal punctuation (with closing quotes) and at line breaks. */
export function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?…]+["'”’)]*)\s+|\n+(?!\s*\p{Ll})/u)
    .map((s) => s.trim())
    .filter((s) => wordsOf(s).length > 0);
}

function movingTtr(words: string[], window = 100): number {
  if (!words.length) return 0;
  if (words.length <= window) return new Set(words).size / words.length;
  // Counts kept incrementally: O(n) for any text length.
  const counts = new Map<string, number>();
  for (const w of words.slice(0, window)) counts.set(w, (counts.get(w) ?? 0) + 1);
  let sum = counts.size / window;
  let windows = 1;
  for (let i = window; i < words.length; i++) {
    const out = words[i - window] as string;
    const left = (counts.get(out) ?? 0) - 1;
    if (left) counts.set(out, left);
    else counts.delete(out);
    const inn = words[i] as string;
    counts.set(inn, (counts.get(inn) ?? 0) + 1);
    sum += counts.size / window;
    windows++;
  }
  return sum / windows;
}

function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(pattern)].length;
}

function top<T>(entries: Iterable<[T, number]>, n: number, min: number): [T, number][] {
  return [...entries]
    .filter(([, c]) => c >= min)
    .sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])))
    .slice(0, n);
}

function openings(sentences: string[]): { text: string; count: number }[] {
  const first = new Map<string, number>();
  const pairs = new Map<string, number>();
  for (const s of sentences) {
    const w = wordsOf(s);
    if (!w.length) continue;
    first.set(w[0] as string, (first.get(w[0] as string) ?? 0) + 1);
    if (w.length > 1) {
      const pair = `${w[0]} ${w[1]}`;
      pairs.set(pair, (pairs.get(pair) ?? 0) + 1);
    }
  }
  // A shared two-word start ("Here's the") says more than its first word alone.
  const chosen = new Map<string, number>(top(pairs, 5, 2));
  for (const [word, c] of top(first, 8, 2)) {
    const covered = [...chosen.keys()].some((p) => p.startsWith(`${word} `) && (chosen.get(p) ?? 0) >= c);
    if (!covered) chosen.set(word, c);
  }
  return top(chosen, 5, 2).map(([text, c]) => ({ text, count: c }));
}

function distinctive(words: string[]): { term: string; count: number }[] {
  const content = (w: string) => w.length >= 3 && !COMMON_WORDS.has(w) && !/^\d+$/.test(w);
  const singles = new Map<string, number>();
  const pairs = new Map<string, number>();
  for (const [i, w] of words.entries()) {
    if (content(w)) singles.set(w, (singles.get(w) ?? 0) + 1);
    const next = words[i + 1];
    if (next && content(w) && content(next)) pairs.set(`${w} ${next}`, (pairs.get(`${w} ${next}`) ?? 0) + 1);
  }
  const min = words.length >= 200 ? 3 : 2;
  const phrases = top(pairs, 4, 2);
  const picked = top(singles, 12, min).filter(([w]) => !phrases.some(([p]) => p.split(" ").includes(w)));
  return [...phrases, ...picked].slice(0, 10).map(([term, c]) => ({ term, count: c }));
}

/** The fingerprint of one or more texts (samples are measured together, as one body of writing). */
export function fingerprint(texts: readonly string[]): VoiceFingerprint {
  const body = texts.join("\n\n");
  const sentences = texts.flatMap(sentencesOf);
  const words = wordsOf(body);
  const n = words.length;
  const per1000 = (c: number) => (n ? round((c * 1000) / n, 1) : 0);
  const lengths = sentences.map((s) => wordsOf(s).length);
  const mean = lengths.length ? lengths.reduce((a, b) => a + b, 0) / lengths.length : 0;
  const variance = lengths.length ? lengths.reduce((a, l) => a + (l - mean) ** 2, 0) / lengths.length : 0;
  const letters = words.map((w) => w.replace(/[^\p{L}\p{N}]/gu, "").length);
  const lower = ` ${words.join(" ")} `;
  return {
    version: 1,
    sampleCount: texts.length,
    wordCount: n,
    sentenceCount: sentences.length,
    sentenceLength: { mean: round(mean, 1), stdDev: round(Math.sqrt(variance), 1) },
    vocabulary: {
      typeTokenRatio: round(movingTtr(words), 3),
      averageWordLength: round(n ? letters.reduce((a, b) => a + b, 0) / n : 0, 2),
      longWordShare: round(n ? letters.filter((l) => l >= 7).length / n : 0, 3),
    },
    per1000Words: {
      exclamation: per1000(count(body, /!/g)),
      question: per1000(count(body, /\?/g)),
      emDash: per1000(count(body, /—|\s--\s/g)),
      semicolon: per1000(count(body, /;/g)),
      ellipsis: per1000(count(body, /…|\.\.\./g)),
      emoji: per1000(count(body, EMOJI)),
      contraction: per1000(words.filter((w) => CONTRACTION.test(w) || S_CONTRACTION.test(w)).length),
      firstPerson: per1000(words.filter((w) => FIRST_PERSON.has(w)).length),
      secondPerson: per1000(words.filter((w) => SECOND_PERSON.has(w)).length),
      hedge: per1000(
        words.filter((w) => HEDGE_WORDS.has(w)).length + HEDGE_PHRASES.reduce((a, p) => a + lower.split(` ${p} `).length - 1, 0),
      ),
    },
    openings: openings(sentences),
    distinctive: distinctive(words),
  };
}
