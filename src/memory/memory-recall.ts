import type { Config } from '../config';
import type { ChatMessage } from '../contract/chat-message';
import { queryTermsOf } from './memory-keywords';
import { EmbeddingsClient } from '../llm/embeddings-client';
import { rankMemories, type Memory, type MemoryCandidate, type RecallLimits } from './memory-ranking';
import { recalledMemoriesNote } from '../contract/recalled-memories-note';
import type { MemoryStore, RunningTurn } from './memory-store';

/** How many index matches are ranked for one recall: enough for top-k after the threshold. */
const CANDIDATES = 50;

export interface MemoryRecallOptions extends RecallLimits {
  /** Recall into every model call; false leaves only the recall tool. */
  auto: boolean;
}

/** Who is asking, for a recall into a model call: absent owner (older histories) means no recall. */
export interface RecallScope extends RunningTurn {
  owner?: string;
}

/** Vector recall: the embedding model, and where its failures are reported (recall then uses keywords only). */
export interface MemoryEmbeddings {
  client: Pick<EmbeddingsClient, 'model' | 'embed'>;
  onError: (err: unknown) => void;
}

/** Recall of a principal's memories: top-k over a relevance threshold and within a token cap. */
export class MemoryRecall {
  constructor(
    private readonly store: MemoryStore,
    readonly options: MemoryRecallOptions,
    private readonly embeddings?: MemoryEmbeddings,
  ) {}

  /**
   * The owner's memories relevant to `text`, best first (the running turn's own included): keyword
   * matches, and with EMBEDDINGS_MODEL also the nearest vectors (hybrid, see rankMemories).
   */
  async recall(owner: string, text: string, running?: RunningTurn, limits: RecallLimits = this.options) {
    const terms = queryTermsOf(text);
    const [byKeyword, byVector] = await Promise.all([
      terms.length > 0 ? this.store.search(owner, terms, CANDIDATES, running) : [],
      this.nearest(owner, text, running),
    ]);
    const similarity = new Map(byVector.map((m) => [m.id, m.similarity]));
    const keywordIds = new Set(byKeyword.map((m) => m.id));
    const candidates: MemoryCandidate[] = [
      ...byKeyword.map((m) => ({ ...m, similarity: similarity.get(m.id) })),
      ...byVector.filter((m) => !keywordIds.has(m.id)),
    ];
    return rankMemories(terms, candidates, limits);
  }

  /** Embeds a stored memory for vector recall; a failure leaves it to keyword recall. */
  async index(memory: Pick<Memory, 'id' | 'content'>): Promise<void> {
    if (!this.embeddings) return;
    try {
      const [vector] = await this.embeddings.client.embed([memory.content]);
      await this.store.setEmbedding(memory.id, this.embeddings.client.model, vector);
    } catch (err) {
      this.embeddings.onError(err);
    }
  }

  private async nearest(owner: string, text: string, running?: RunningTurn): Promise<MemoryCandidate[]> {
    if (!this.embeddings) return [];
    try {
      const [vector] = await this.embeddings.client.embed([text]);
      return await this.store.searchByVector(owner, this.embeddings.client.model, vector, CANDIDATES, running);
    } catch (err) {
      this.embeddings.onError(err);
      return [];
    }
  }

  /**
   * The messages with the memories relevant to the latest user message as one system note after
   * the leading system prompt; unchanged when nothing is relevant, auto recall is off or the owner
   * is unknown.
   */
  async withRecalledMemories(messages: ChatMessage[], scope: RecallScope): Promise<ChatMessage[]> {
    if (!this.options.auto || !scope.owner) return messages;
    const question = [...messages].reverse().find((m) => m.role === 'user')?.content;
    if (!question) return messages;
    const memories = await this.recall(scope.owner, question, scope);
    if (memories.length === 0) return messages;
    const at = messages.findIndex((m) => m.role !== 'system');
    const split = at === -1 ? messages.length : at;
    return [...messages.slice(0, split), recalledMemoriesNote(memories), ...messages.slice(split)];
  }
}

/** Longest a model call waits for its recall (an archive outage must not hold the model back). */
const RECALL_WAIT_MS = 2_000;

/**
 * What the model is sent for one call: the conversation with the recalled memories, or as it is
 * when memory is off or the archive cannot answer (a recall failure never fails the model call).
 */
export async function withRecalledMemories(
  recall: MemoryRecall | undefined,
  messages: ChatMessage[],
  scope: RecallScope,
  onError: (err: unknown) => void,
): Promise<ChatMessage[]> {
  if (!recall) return messages;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`recall took over ${RECALL_WAIT_MS} ms`)), RECALL_WAIT_MS);
  });
  try {
    return await Promise.race([recall.withRecalledMemories(messages, scope), late]);
  } catch (err) {
    onError(err);
    return messages;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Recall as MEMORY_* configures it (top-k, threshold, token cap; MEMORY_AUTO_RECALL for every model call),
 * hybrid with EMBEDDINGS_MODEL (endpoint and key default to the primary model's; none for the offline model).
 */
export function memoryRecallOf(config: Config, store: MemoryStore, onError: (err: unknown) => void): MemoryRecall {
  const options = {
    auto: config.MEMORY_AUTO_RECALL,
    topK: config.MEMORY_RECALL_TOP_K,
    minScore: config.MEMORY_RECALL_MIN_SCORE,
    maxTokens: config.MEMORY_RECALL_MAX_TOKENS,
  };
  const baseUrl = config.EMBEDDINGS_BASE_URL ?? config.llm.baseUrl;
  if (!config.EMBEDDINGS_MODEL || !baseUrl) return new MemoryRecall(store, options);
  const client = new EmbeddingsClient(
    baseUrl,
    config.EMBEDDINGS_API_KEY ?? config.llm.apiKey,
    config.EMBEDDINGS_MODEL,
    config.LLM_TIMEOUT_SECONDS * 1000,
  );
  return new MemoryRecall(store, options, { client, onError });
}
