/**
 * A synthetic knowledge base that behaves like real embeddings for an ANN index: every vector is
 *
 *   normalise(wg·G + wd·D[domain] + wt·T[topic] + ws·S[subtopic] (+ wx·S[other subtopic]) + wn·N)
 *
 * with G one shared direction (real embedding spaces are anisotropic: unrelated texts still score
 * ~0.15), D/T/S fixed random unit directions per domain (10), topic (100, 10 per domain) and subtopic
 * (1,000, 10 per topic), N fresh per entry, and a third of the entries also about a second, random
 * subtopic (real notes mix subjects). Cosine similarity is then ~0.7 within a subtopic, ~0.5 within a
 * topic, ~0.3 within a domain and ~0.15 across domains: graded, as in real text embeddings, and the
 * nearest neighbours of a query are separated only by noise (a hard case for recall). A first version
 * with 100 unrelated topics and nothing in between (every other topic equally far) was harsher than
 * real data for a graph index: greedy search had no gradient to follow and ~4% of queries at 100k
 * found none of their true top 10 at any ef_search.
 *
 * Texts are drawn from per-topic and per-subtopic pseudo-word vocabularies (plus common English), so
 * the full-text side matches the same topics the vectors do. Everything is seeded: the same N gives the
 * same corpus and queries.
 */

export const DIMENSIONS = 1536;
export const DOMAINS = 10;
export const TOPICS = 100;
export const SUBTOPICS_PER_TOPIC = 10;
const W = {
  global: Math.sqrt(0.15),
  domain: Math.sqrt(0.15),
  topic: Math.sqrt(0.2),
  subtopic: Math.sqrt(0.2),
  noise: Math.sqrt(0.3),
};
/** Share of entries with a second subtopic, and its weight relative to the first. */
const MIXED = { share: 1 / 3, weight: 0.5 };

/** mulberry32: small, fast, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussianUnit(rand: () => number, d = DIMENSIONS): Float32Array {
  const v = new Float32Array(d);
  for (let i = 0; i < d; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rand()));
    const th = 2 * Math.PI * rand();
    v[i] = r * Math.cos(th);
    if (i + 1 < d) v[i + 1] = r * Math.sin(th);
  }
  return normalise(v);
}

export function normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] as number) ** 2;
  const k = 1 / Math.sqrt(s);
  for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) * k;
  return v;
}

const SYLLABLES =
  "ba be bi bo bu da de di do du fa fe fi fo ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu za ze zi zo zu".split(
    " ",
  );
const FINALS = ["n", "r", "l", "s", "m", "x", "k", "th", "nd", "st"];
const COMMON =
  "week notes idea readers team client project story lesson plan draft goal habit tool process launch growth post update question advice mistake experience morning example result practice feedback moment".split(
    " ",
  );

function pseudoWord(rand: () => number, used: Set<string>): string {
  for (;;) {
    const n = 2 + Math.floor(rand() * 2);
    let w = "";
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(rand() * SYLLABLES.length)];
    w += FINALS[Math.floor(rand() * FINALS.length)];
    if (!used.has(w)) {
      used.add(w);
      return w;
    }
  }
}

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

export interface CorpusEntry {
  title: string;
  content: string;
  category: "about_me" | "audience" | "writing_style";
  subtopic: number;
  vector: Float32Array;
}

export interface CorpusQuery {
  text: string;
  subtopic: number;
  vector: Float32Array;
}

export class Corpus {
  private readonly global: Float32Array;
  private readonly domains: Float32Array[] = [];
  private readonly topics: Float32Array[] = [];
  private readonly subtopics: Float32Array[] = [];
  private readonly topicWords: string[][] = [];
  private readonly subWords: string[][] = [];
  /** Cumulative subtopic weights: topics are mildly skewed (weight ∝ 1/√rank), like real interests. */
  private readonly cumulative: Float64Array;

  constructor(seed = 42) {
    const rand = prng(seed);
    const used = new Set<string>();
    this.global = gaussianUnit(rand);
    for (let d = 0; d < DOMAINS; d++) this.domains.push(gaussianUnit(rand));
    for (let t = 0; t < TOPICS; t++) {
      this.topics.push(gaussianUnit(rand));
      this.topicWords.push(Array.from({ length: 20 }, () => pseudoWord(rand, used)));
    }
    for (let s = 0; s < TOPICS * SUBTOPICS_PER_TOPIC; s++) {
      this.subtopics.push(gaussianUnit(rand));
      this.subWords.push(Array.from({ length: 10 }, () => pseudoWord(rand, used)));
    }
    this.cumulative = new Float64Array(TOPICS * SUBTOPICS_PER_TOPIC);
    let acc = 0;
    for (let s = 0; s < this.cumulative.length; s++) {
      acc += 1 / Math.sqrt(1 + Math.floor(s / SUBTOPICS_PER_TOPIC));
      this.cumulative[s] = acc;
    }
  }

  private drawSubtopic(rand: () => number): number {
    const x = rand() * (this.cumulative[this.cumulative.length - 1] as number);
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cumulative[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A point of the subtopic (optionally also about `other`): the shared structure plus uniform noise. */
  vectorFor(subtopic: number, rand: () => number, other?: number): Float32Array {
    const topic = Math.floor(subtopic / SUBTOPICS_PER_TOPIC);
    const d = this.domains[Math.floor(topic / (TOPICS / DOMAINS))] as Float32Array;
    const t = this.topics[topic] as Float32Array;
    const s = this.subtopics[subtopic] as Float32Array;
    const x = other === undefined ? undefined : (this.subtopics[other] as Float32Array);
    const wx = x ? W.subtopic * MIXED.weight : 0;
    const g = this.global;
    const v = new Float32Array(DIMENSIONS);
    // Uniform on [-√3, √3] has variance 1; scaled by 1/√d the noise vector has norm ≈ 1.
    const noise = (W.noise * Math.sqrt(3)) / Math.sqrt(DIMENSIONS);
    for (let i = 0; i < DIMENSIONS; i++) {
      v[i] =
        W.global * (g[i] as number) +
        W.domain * (d[i] as number) +
        W.topic * (t[i] as number) +
        W.subtopic * (s[i] as number) +
        (x ? wx * (x[i] as number) : 0) +
        noise * (2 * rand() - 1);
    }
    return normalise(v);
  }

  /** Entry `i` of the corpus (deterministic in i). */
  entry(i: number): CorpusEntry {
    const rand = prng(0x9e3779b1 ^ (i * 2654435761));
    const subtopic = this.drawSubtopic(rand);
    const tw = this.topicWords[Math.floor(subtopic / SUBTOPICS_PER_TOPIC)] as string[];
    const sw = this.subWords[subtopic] as string[];
    const title = `${pick(rand, sw)} ${pick(rand, tw)} ${pick(rand, COMMON)}`;
    const words: string[] = [];
    const length = 30 + Math.floor(rand() * 40);
    for (let k = 0; k < length; k++) {
      const r = rand();
      words.push(r < 0.2 ? pick(rand, sw) : r < 0.45 ? pick(rand, tw) : pick(rand, COMMON));
    }
    return {
      title: title[0]?.toUpperCase() + title.slice(1),
      content: `${words.join(" ")}.`,
      category: pick(rand, ["about_me", "audience", "writing_style"] as const),
      subtopic,
      vector: this.vectorFor(subtopic, rand, rand() < MIXED.share ? this.drawSubtopic(rand) : undefined),
    };
  }

  /** Query `i`: two words of a subtopic and a vector near it (not any entry's). */
  query(i: number): CorpusQuery {
    const rand = prng(0x85ebca6b ^ (i * 40503));
    const subtopic = this.drawSubtopic(rand);
    const sw = this.subWords[subtopic] as string[];
    const a = pick(rand, sw);
    let b = pick(rand, sw);
    while (b === a) b = pick(rand, sw);
    return { text: `${a} ${b}`, subtopic, vector: this.vectorFor(subtopic, rand) };
  }
}
