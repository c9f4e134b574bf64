/**
 * Lexical embeddings without a model: signed feature hashing of word unigrams, word bigrams and
 * character 3-/4-grams (which catch inflections: "sitting" and "sits" share "#sit"), L2-normalised.
 * Texts about the same words land close together; unrelated texts are near-orthogonal. Stop words are
 * left out (unless a text has nothing else) so "the" and "and" do not make everything look alike.
 */
import { fnv1a, mix32 } from "./fnv1a.ts";

export const STOP_WORDS = new Set(
  "a about also an and are as at be been but by can could did do does for from had has have he her his how i if in into is it its just me more most my no not of on only or our she should so some such than that the their them then there these they this to too us very was we were what when where which who why will with would you your".split(
    " ",
  ),
);

const WEIGHTS = { word: 1, bigram: 0.7, trigram: 0.3, fourgram: 0.3 };

export function words(text: string): string[] {
  return (
    text
      .normalize("NFKC")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

function add(vector: Float64Array, feature: string, weight: number): void {
  const hash = fnv1a(feature);
  const index = hash % vector.length;
  vector[index] = (vector[index] as number) + (mix32(hash) & 1 ? weight : -weight);
}

function addCharGrams(vector: Float64Array, word: string): void {
  const padded = `#${word}#`;
  for (const [n, weight] of [
    [3, WEIGHTS.trigram],
    [4, WEIGHTS.fourgram],
  ] as const) {
    for (let i = 0; i + n <= padded.length; i++) add(vector, `c${n}:${padded.slice(i, i + n)}`, weight);
  }
}

export function lexicalEmbedding(text: string, dimensions: number): number[] {
  const vector = new Float64Array(dimensions);
  const all = words(text);
  const content = all.filter((w) => !STOP_WORDS.has(w));
  const terms = content.length > 0 ? content : all;
  for (const [i, word] of terms.entries()) {
    add(vector, `w:${word}`, WEIGHTS.word);
    const next = terms[i + 1];
    if (next) add(vector, `b:${word} ${next}`, WEIGHTS.bigram);
    addCharGrams(vector, word);
  }
  // Punctuation or emoji only: hash the raw characters so the vector is still a unit vector.
  if (terms.length === 0) addCharGrams(vector, text.trim());
  let norm = 0;
  for (const x of vector) norm += x * x;
  norm = Math.sqrt(norm);
  // Only an empty text has no features at all; it stays the zero vector.
  return Array.from(vector, (x) => x / (norm || 1));
}
