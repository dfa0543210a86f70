import corpus from './search-corpus.json';

export interface SearchHit {
  title: string;
  url: string;
  content: string;
  score?: number;
}

const tokenize = (text: string) =>
  text
    .toLowerCase()
    .match(/[\p{L}\p{N}]+/gu)
    ?.filter((t) => t.length > 1) ?? [];

/** Term-overlap ranking over the small bundled corpus: deterministic, offline, good enough to demo. */
export function offlineSearch(query: string, limit: number): SearchHit[] {
  const terms = new Set(tokenize(query));
  if (terms.size === 0) return [];
  return (corpus as SearchHit[])
    .map((doc) => {
      const words = tokenize(`${doc.title} ${doc.title} ${doc.content}`);
      const score = words.reduce((sum, word) => sum + (terms.has(word) ? 1 : 0), 0) / Math.sqrt(words.length);
      return { ...doc, score: Math.round(score * 1000) / 1000 };
    })
    .filter((doc) => doc.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
}
