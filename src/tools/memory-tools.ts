import { z } from 'zod';
import type { MemoryRecall } from '../memory/memory-recall';
import type { MemoryStore } from '../memory/memory-store';
import { defineTool, type ToolDefinition, type ToolRunContext } from './tool-definition';

export const REMEMBER_TOOL = 'remember';
export const RECALL_TOOL = 'recall';

/**
 * The principal a call acts for: the owner of its session, read from the archive's session row
 * (written by the API before the session's first turn). Looked up rather than passed in the
 * tool input, so the workflow's tool calls stay as they are and older histories work too.
 */
async function ownerOf(store: MemoryStore, context: ToolRunContext | undefined): Promise<string | undefined> {
  return context ? store.ownerOfSession(context.session_id) : undefined;
}

const NO_OWNER = 'This session has no known owner, so there is no memory to use.';

/**
 * `remember` stores a fact for the session's owner; `recall` searches the owner's memories. A
 * memory records the session, turn and call that stored it, and is unique per (turn, call): a
 * retried call finds the first attempt's memory, so remember is idempotent without the ledger.
 */
export function createMemoryTools(store: MemoryStore, recall: MemoryRecall, maxChars: number): ToolDefinition[] {
  const remember = defineTool({
    name: REMEMBER_TOOL,
    description:
      'Stores a fact about the user for later conversations (long-term memory), e.g. a preference they ask you to remember. One short self-contained sentence.',
    schema: z.object({
      content: z.string().trim().min(1).max(maxChars).describe('The fact to keep, as one self-contained sentence.'),
    }),
    policy: { maximumAttempts: 5, timeoutSeconds: 10 },
    cacheable: false,
    idempotent: true,
    approval: 'never',
    async run({ content }, context) {
      const owner = await ownerOf(store, context);
      if (!owner || !context) return { ok: false, value: {}, error: NO_OWNER, provider: 'memory' };
      const memory = await store.add({
        owner,
        content,
        session_id: context.session_id,
        turn_id: context.turn_id,
        call_id: context.call_id,
        created_at: new Date().toISOString(),
      });
      await recall.index(memory);
      return { ok: true, value: { remembered: memory.content, memory_id: memory.id }, provider: 'memory' };
    },
  });
  const recallTool = defineTool({
    name: RECALL_TOOL,
    description: "Searches the user's long-term memories (facts stored with remember) by keywords.",
    schema: z.object({
      query: z.string().trim().min(1).max(500).describe('Keywords of what to look for.'),
    }),
    policy: { maximumAttempts: 3, timeoutSeconds: 10 },
    cacheable: false,
    idempotent: true,
    approval: 'never',
    async run({ query }, context) {
      const owner = await ownerOf(store, context);
      if (!owner || !context) return { ok: false, value: {}, error: NO_OWNER, provider: 'memory' };
      // Any keyword match counts here: the model asked, so it decides what is relevant.
      const memories = await recall.recall(owner, query, context, { ...recall.options, minScore: 0 });
      return {
        ok: true,
        value: {
          query,
          memories: memories.map((m) => ({ id: m.id, content: m.content, saved: m.created_at, score: m.score })),
        },
        provider: 'memory',
      };
    },
  });
  return [remember, recallTool];
}
