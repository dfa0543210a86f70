import { createHash } from 'node:crypto';

/** Words the fake embedding model treats as one concept, so a question can match a memory with no shared keyword. */
const CONCEPTS: Record<string, string> = {
  colour: 'colour',
  color: 'colour',
  hue: 'colour',
  shade: 'colour',
  favourite: 'liking',
  favorite: 'liking',
  like: 'liking',
  best: 'liking',
};

const DIMENSIONS = 64;

/**
 * A deterministic embedding for tests: each word (or its concept) hashed to one of 64 dimensions,
 * counted, normalised. Texts sharing words or concepts have a high cosine similarity.
 */
export function fakeEmbedding(text: string): number[] {
  const vector = new Array<number>(DIMENSIONS).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    const key = CONCEPTS[word] ?? word;
    vector[createHash('sha256').update(key).digest()[0] % DIMENSIONS] += 1;
  }
  const norm = Math.sqrt(vector.reduce((s, v) => s + v * v, 0)) || 1;
  return vector.map((v) => v / norm);
}

/** The `/embeddings` answer of an OpenAI-compatible server for `input`. */
export function embeddingsAnswer(model: string, input: string | string[]) {
  const texts = Array.isArray(input) ? input : [input];
  return {
    object: 'list',
    model,
    data: texts.map((text, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(text) })),
    usage: { prompt_tokens: texts.join(' ').length, total_tokens: texts.join(' ').length },
  };
}
