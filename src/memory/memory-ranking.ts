import { estimateTokens } from '../llm/chat-completion-encoder';
import { termCoverage } from './memory-keywords';

/** One stored memory as the API and the recall tool show it. */
export interface Memory {
  id: number;
  content: string;
  /** The session and turn whose `remember` call stored it. */
  session_id: string;
  turn_id: string;
  created_at: string;
}

/** A memory that matched a query, in the index's own order (bm25 / ts_rank_cd, best first). */
export interface MemoryCandidate extends Memory {
  /** Cosine similarity to the query's embedding, when it was found or also found by vector. */
  similarity?: number;
}

export interface RecalledMemory extends Memory {
  /** 0..1: the share of the query's keywords the memory contains, or its cosine similarity when higher. */
  score: number;
}

export interface RecallLimits {
  topK: number;
  minScore: number;
  /** Estimated tokens of all recalled memories together. */
  maxTokens: number;
}

/**
 * Picks the memories to recall: relevance is keyword coverage (comparable across principals and
 * corpus sizes, unlike raw BM25, which is near zero in a small corpus), or the cosine similarity
 * to the query's embedding when that is higher (hybrid: either kind of match counts); ties keep
 * the candidates' order (keyword hits first, by bm25). Below `minScore` a memory is left out; then the best first, skipping any that would
 * pass the token cap, up to `topK`.
 */
export function rankMemories(
  terms: readonly string[],
  candidates: readonly MemoryCandidate[],
  limits: RecallLimits,
): RecalledMemory[] {
  const scored = candidates
    .map(({ similarity, ...memory }, order) => ({
      memory: { ...memory, score: Math.max(termCoverage(terms, memory.content), similarity ?? 0) },
      order,
    }))
    .filter(({ memory }) => memory.score > 0 && memory.score >= limits.minScore)
    .sort((a, b) => b.memory.score - a.memory.score || a.order - b.order);
  const picked: RecalledMemory[] = [];
  let tokens = 0;
  for (const { memory } of scored) {
    if (picked.length >= limits.topK) break;
    const cost = estimateTokens(memory.content);
    if (tokens + cost > limits.maxTokens) continue;
    tokens += cost;
    picked.push(memory);
  }
  return picked;
}
